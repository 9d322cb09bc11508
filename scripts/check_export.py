#!/usr/bin/env python3
"""Check a handcraft export with an independent forward pass in NumPy.

Usage: check_export.py DIR

Reads DIR/config.json and DIR/model.safetensors (either layout, "tracr" or
"transformer-lens") and checks the tensors' checksum, names and shapes. Then it
runs every case stored in the config's verification report through its own
forward pass and compares the decoded outputs with the stored ones: categorical
outputs exactly, numerical ones within the report's tolerance. A stored `null` (the
BOS position, or a tie between categories) is not compared.

Exit codes: 0 when every case agrees, 1 when a case disagrees, 2 when the
export cannot be read. Needs numpy and safetensors from PyPI.
"""

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
from safetensors import safe_open

FORMAT = "handcraft-dense"
FORMAT_VERSION = 1


class ExportError(Exception):
    """The export is missing, unreadable or inconsistent."""


def load(directory):
    """Returns the config and a dict of float64 arrays for the export in `directory`."""
    config_path = directory / "config.json"
    tensors_path = directory / "model.safetensors"
    for path in (config_path, tensors_path):
        if not path.is_file():
            raise ExportError(f"{path} not found")
    try:
        config = json.loads(config_path.read_text())
    except json.JSONDecodeError as error:
        raise ExportError(f"invalid config.json: {error}") from error
    if config.get("format") != FORMAT or config.get("format_version") != FORMAT_VERSION:
        raise ExportError(
            f"config.json has format {config.get('format')!r} version "
            f"{config.get('format_version')!r}; expected {FORMAT!r} version {FORMAT_VERSION}"
        )

    data = tensors_path.read_bytes()
    expected = config["tensors"]
    digest = hashlib.sha256(data).hexdigest()
    if digest != expected["sha256"] or len(data) != expected["bytes"]:
        raise ExportError(
            f"model.safetensors has SHA-256 {digest} ({len(data)} bytes) but config.json "
            f"expects {expected['sha256']} ({expected['bytes']} bytes)"
        )
    try:
        with safe_open(str(tensors_path), framework="np") as file:
            metadata = file.metadata() or {}
            tensors = {name: file.get_tensor(name).astype(np.float64) for name in file.keys()}
    except Exception as error:  # the safetensors reader raises several exception types
        raise ExportError(f"invalid model.safetensors: {error}") from error
    if metadata.get("layout") != config["layout"]:
        raise ExportError(
            f"model.safetensors has layout {metadata.get('layout')!r} but config.json "
            f"says {config['layout']!r}"
        )
    return config, tensors


def take(tensors, name, shape):
    """Returns tensor `name`, checking that it has `shape`."""
    if name not in tensors:
        raise ExportError(f"model.safetensors lacks tensor {name!r}")
    tensor = tensors[name]
    if tuple(tensor.shape) != tuple(shape):
        raise ExportError(f"tensor {name!r} has shape {tensor.shape}, expected {tuple(shape)}")
    return tensor


def weights(config, tensors):
    """Rearranges either layout into per-layer arrays with heads on the first axis:
    W_Q, W_K, W_V [H, D, K], W_O [H, K, D], biases, MLP and unembedding."""
    d = config["d_model"]
    h = config["num_heads"]
    k = config["key_size"]
    m = config["mlp_hidden_size"]
    n_ctx = config["max_seq_len"] + 1
    vocab = len(config["vocab"])
    outputs = len(config["output"]["labels"])
    layers = []
    if config["layout"] == "tracr":
        embed = take(tensors, "token_embed/embeddings", (vocab, d))
        pos = take(tensors, "pos_embed/embeddings", (n_ctx, d))
        for layer in range(config["num_layers"]):
            attn = f"transformer/layer_{layer}/attn"
            mlp = f"transformer/layer_{layer}/mlp"

            def heads(name):
                matrix = take(tensors, f"{attn}/{name}/w", (d, h * k))
                return matrix.reshape(d, h, k).transpose(1, 0, 2)

            layers.append({
                "W_Q": heads("query"),
                "W_K": heads("key"),
                "W_V": heads("value"),
                "b_Q": take(tensors, f"{attn}/query/b", (h * k,)).reshape(h, k),
                "b_K": take(tensors, f"{attn}/key/b", (h * k,)).reshape(h, k),
                "b_V": take(tensors, f"{attn}/value/b", (h * k,)).reshape(h, k),
                "W_O": take(tensors, f"{attn}/linear/w", (h * k, d)).reshape(h, k, d),
                "b_O": take(tensors, f"{attn}/linear/b", (d,)),
                "W_in": take(tensors, f"{mlp}/linear_1/w", (d, m)),
                "b_in": take(tensors, f"{mlp}/linear_1/b", (m,)),
                "W_out": take(tensors, f"{mlp}/linear_2/w", (m, d)),
                "b_out": take(tensors, f"{mlp}/linear_2/b", (d,)),
            })
        # The tracr layout has no unembedding tensor: the output labels select columns.
        unembed = np.zeros((d, outputs))
        for j, label in enumerate(config["output"]["labels"]):
            unembed[config["residual_labels"].index(label), j] = 1.0
        unembed_bias = np.zeros(outputs)
    elif config["layout"] == "transformer-lens":
        embed = take(tensors, "embed.W_E", (vocab, d))
        pos = take(tensors, "pos_embed.W_pos", (n_ctx, d))
        for layer in range(config["num_layers"]):
            attn = f"blocks.{layer}.attn"
            mlp = f"blocks.{layer}.mlp"
            layers.append({
                "W_Q": take(tensors, f"{attn}.W_Q", (h, d, k)),
                "W_K": take(tensors, f"{attn}.W_K", (h, d, k)),
                "W_V": take(tensors, f"{attn}.W_V", (h, d, k)),
                "b_Q": take(tensors, f"{attn}.b_Q", (h, k)),
                "b_K": take(tensors, f"{attn}.b_K", (h, k)),
                "b_V": take(tensors, f"{attn}.b_V", (h, k)),
                "W_O": take(tensors, f"{attn}.W_O", (h, k, d)),
                "b_O": take(tensors, f"{attn}.b_O", (d,)),
                "W_in": take(tensors, f"{mlp}.W_in", (d, m)),
                "b_in": take(tensors, f"{mlp}.b_in", (m,)),
                "W_out": take(tensors, f"{mlp}.W_out", (m, d)),
                "b_out": take(tensors, f"{mlp}.b_out", (d,)),
            })
        unembed = take(tensors, "unembed.W_U", (d, outputs))
        unembed_bias = take(tensors, "unembed.b_U", (outputs,))
    else:
        raise ExportError(f"unknown layout {config['layout']!r}")
    return embed, pos, layers, unembed, unembed_bias


def forward(config, model, ids):
    """Returns the unembedded output [T, outputs] for token ids, BOS first."""
    embed, pos, layers, unembed, unembed_bias = model
    positions = len(ids)
    x = embed[ids] + pos[:positions]
    scale = config["attention_logit_scale"]
    masked = np.triu(np.ones((positions, positions), dtype=bool), k=1)
    for layer in layers:
        q = np.einsum("td,hdk->htk", x, layer["W_Q"]) + layer["b_Q"][:, None, :]
        k = np.einsum("td,hdk->htk", x, layer["W_K"]) + layer["b_K"][:, None, :]
        v = np.einsum("td,hdk->htk", x, layer["W_V"]) + layer["b_V"][:, None, :]
        logits = scale * np.einsum("hqk,hsk->hqs", q, k)
        if config["causal"]:
            logits = np.where(masked[None, :, :], -np.inf, logits)
        logits = logits - logits.max(axis=-1, keepdims=True)
        weights_ = np.exp(logits)
        weights_ /= weights_.sum(axis=-1, keepdims=True)
        z = np.einsum("hqs,hsk->hqk", weights_, v)
        x = x + np.einsum("hqk,hkd->qd", z, layer["W_O"]) + layer["b_O"]
        hidden = np.maximum(x @ layer["W_in"] + layer["b_in"], 0.0)
        x = x + hidden @ layer["W_out"] + layer["b_out"]
    return x @ unembed + unembed_bias


def check_cases(config, model):
    """Returns the number of stored cases and the list of disagreements."""
    report = config.get("verification")
    if not report:
        raise ExportError("config.json has no verification report")
    vocab = config["vocab"]
    output = config["output"]
    tolerance = report["output_tolerance"]
    failures = []
    for case in report["cases"]:
        tokens = case["input"]
        unknown = [t for t in tokens if t not in vocab]
        if unknown:
            raise ExportError(f"stored case {tokens} has token {unknown[0]!r} outside the vocabulary")
        logits = forward(config, model, [vocab.index(t) for t in tokens])
        for position in range(1, len(tokens)):
            expected = case["expected"][position]
            if expected is None:
                # A tie between categories in the typed model: any of them is right.
                continue
            if output["categorical"]:
                found = output["values"][int(np.argmax(logits[position]))]
                agree = found == expected
            else:
                found = float(logits[position, 0])
                agree = abs(found - expected) <= tolerance * max(1.0, abs(expected))
            if not agree:
                failures.append((tokens, position, expected, found))
                break
    return len(report["cases"]), failures


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    directory = Path(argv[1])
    try:
        config, tensors = load(directory)
        model = weights(config, tensors)
        total, failures = check_cases(config, model)
    except (ExportError, KeyError, ValueError) as error:
        print(f"error: {directory}: {error}", file=sys.stderr)
        return 2
    for tokens, position, expected, found in failures:
        print(f"MISMATCH {tokens}: position {position} decodes {found!r}, stored {expected!r}")
    print(f"{total - len(failures)} of {total} stored cases agree ({config['layout']} layout, {directory})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
