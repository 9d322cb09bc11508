handcraft::spaces! {
    pub space Big = big: {9223372036854775807, 9223372036854775808};
}

fn main() {
    let _ = <Big as handcraft::Space>::DIM;
}
