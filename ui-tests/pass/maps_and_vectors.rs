//! The intended use of vectors and maps: embed into a residual, restrict, apply, compose,
//! combine in parallel.
use handcraft::{Dir, Linear, ScalarBilinear, Sequence, Vector};

handcraft::spaces! {
    space Tokens = tokens: {"a", "b"};
    space Indices = indices: 0..3;
    space One = one;
    space Flag = flag;
    space Residual = Tokens | Indices | One | Flag;
    space Inputs = Tokens | Indices;
}

fn main() -> Result<(), handcraft::Error> {
    let a = Dir::<Tokens>::with_value("a")?;
    let tokens = Sequence::<Tokens>::one_hot(&[a, a]);
    let residual = tokens.embed::<Residual>() + Sequence::<One>::from_fn(2, |_, _| 1.0).embed();

    let is_a = Linear::<Tokens, Flag>::from_fn(|t, _| if t == a { 1.0 } else { 0.0 });
    let copy = Linear::<Flag, Flag>::identity();
    let flags = is_a.then(&copy).apply(&residual.restrict::<Tokens>());
    assert_eq!(flags.get(1, Dir::all().next().unwrap()), 1.0);

    let from_indices = Linear::<Indices, Flag>::zeros();
    let joint = Linear::<Inputs, Flag>::combine_in_parallel(&is_a, &from_indices);
    let _ = joint.apply(&residual.restrict::<Inputs>());

    let form = ScalarBilinear::<Tokens, Indices>::from_fn(|_, _| 1.0);
    let value = form.evaluate(&Vector::unit(a), &Vector::unit(Dir::from_index(0).unwrap()));
    assert_eq!(value, 1.0);
    Ok(())
}
