handcraft::spaces! {
    pub space Letters = letters: {'a', "b"};
}

fn main() {
    let _ = <Letters as handcraft::Space>::DIM;
}
