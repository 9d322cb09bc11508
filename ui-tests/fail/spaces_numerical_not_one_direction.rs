handcraft::spaces! {
    pub numerical space Frac = frac: {0.0, 0.5, 1.0};
}

fn assert_numerical<S: handcraft::Numerical>() {}

fn main() {
    assert_numerical::<Frac>();
}
