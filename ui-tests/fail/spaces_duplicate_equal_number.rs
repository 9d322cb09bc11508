// `1` and `true` are one value, as in Python, so this space declares one direction twice.
handcraft::spaces! {
    pub space Flags = flag: {0, 1, true};
}

fn main() {
    let _ = <Flags as handcraft::Space>::DIM;
}
