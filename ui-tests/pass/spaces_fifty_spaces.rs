//! A block of 50 spaces: 48 blocks of hidden directions and two residuals over all of
//! them, so that the macro computes 2,500 pairs of relations.

use handcraft::{Disjoint, Space, Subspace};

handcraft::spaces! {
    pub space Hidden0 = hidden_0: 0..64;
    pub space Hidden1 = hidden_1: 0..64;
    pub space Hidden2 = hidden_2: 0..64;
    pub space Hidden3 = hidden_3: 0..64;
    pub space Hidden4 = hidden_4: 0..64;
    pub space Hidden5 = hidden_5: 0..64;
    pub space Hidden6 = hidden_6: 0..64;
    pub space Hidden7 = hidden_7: 0..64;
    pub space Hidden8 = hidden_8: 0..64;
    pub space Hidden9 = hidden_9: 0..64;
    pub space Hidden10 = hidden_10: 0..64;
    pub space Hidden11 = hidden_11: 0..64;
    pub space Hidden12 = hidden_12: 0..64;
    pub space Hidden13 = hidden_13: 0..64;
    pub space Hidden14 = hidden_14: 0..64;
    pub space Hidden15 = hidden_15: 0..64;
    pub space Hidden16 = hidden_16: 0..64;
    pub space Hidden17 = hidden_17: 0..64;
    pub space Hidden18 = hidden_18: 0..64;
    pub space Hidden19 = hidden_19: 0..64;
    pub space Hidden20 = hidden_20: 0..64;
    pub space Hidden21 = hidden_21: 0..64;
    pub space Hidden22 = hidden_22: 0..64;
    pub space Hidden23 = hidden_23: 0..64;
    pub space Hidden24 = hidden_24: 0..64;
    pub space Hidden25 = hidden_25: 0..64;
    pub space Hidden26 = hidden_26: 0..64;
    pub space Hidden27 = hidden_27: 0..64;
    pub space Hidden28 = hidden_28: 0..64;
    pub space Hidden29 = hidden_29: 0..64;
    pub space Hidden30 = hidden_30: 0..64;
    pub space Hidden31 = hidden_31: 0..64;
    pub space Hidden32 = hidden_32: 0..64;
    pub space Hidden33 = hidden_33: 0..64;
    pub space Hidden34 = hidden_34: 0..64;
    pub space Hidden35 = hidden_35: 0..64;
    pub space Hidden36 = hidden_36: 0..64;
    pub space Hidden37 = hidden_37: 0..64;
    pub space Hidden38 = hidden_38: 0..64;
    pub space Hidden39 = hidden_39: 0..64;
    pub space Hidden40 = hidden_40: 0..64;
    pub space Hidden41 = hidden_41: 0..64;
    pub space Hidden42 = hidden_42: 0..64;
    pub space Hidden43 = hidden_43: 0..64;
    pub space Hidden44 = hidden_44: 0..64;
    pub space Hidden45 = hidden_45: 0..64;
    pub space Hidden46 = hidden_46: 0..64;
    pub space Hidden47 = hidden_47: 0..64;
    pub space Residual = One
        | Hidden0 | Hidden1 | Hidden2 | Hidden3 | Hidden4 | Hidden5 | Hidden6 | Hidden7
        | Hidden8 | Hidden9 | Hidden10 | Hidden11 | Hidden12 | Hidden13 | Hidden14 | Hidden15
        | Hidden16 | Hidden17 | Hidden18 | Hidden19 | Hidden20 | Hidden21 | Hidden22 | Hidden23
        | Hidden24 | Hidden25 | Hidden26 | Hidden27 | Hidden28 | Hidden29 | Hidden30 | Hidden31
        | Hidden32 | Hidden33 | Hidden34 | Hidden35 | Hidden36 | Hidden37 | Hidden38 | Hidden39
        | Hidden40 | Hidden41 | Hidden42 | Hidden43 | Hidden44 | Hidden45 | Hidden46 | Hidden47;
    pub space One = one;
}

fn assert_subspace<Sub: Subspace<Sup>, Sup: Space>() {}
fn assert_disjoint<A: Disjoint<B>, B: Space>() {}

fn main() {
    assert_eq!(Residual::DIM, 48 * 64 + 1);
    assert_subspace::<Hidden0, Residual>();
    assert_subspace::<Hidden47, Residual>();
    assert_disjoint::<Hidden0, Hidden47>();
    let _ = Residual::basis();
}
