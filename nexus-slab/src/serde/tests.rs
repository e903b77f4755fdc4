use crate::{HiSlab, TaggedHiSlab};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::string::{String, ToString};
use std::vec::Vec;

fn from_json<T: for<'de> serde::Deserialize<'de>>(json: &str) -> Result<T, String> {
    serde_json::from_str(json).map_err(|e| e.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 4 } else { nexus_slab_test_support::cases(256) },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Any slab, written and read back: the same values at the same indices, the same
    /// capacity and tags, and inserts after it take the same indices as in the original.
    #[test]
    fn round_trip_keeps_indices_values_and_tags(
        live in prop::collection::btree_map(0u32..60, any::<i32>(), 0..40),
        tag_every in 1u32..5,
    ) {
        let slab = TaggedHiSlab::new(0, 64).unwrap();
        let mut indices = Vec::new();
        for _ in 0..60 { indices.push(slab.insert(0)); }
        let mut slab = slab;
        for i in indices {
            match live.get(&i) {
                Some(v) => { slab[i] = *v; if i % tag_every == 0 { slab.tag(i); } }
                None => { slab.remove(i); }
            }
        }
        let json = serde_json::to_string(&slab).unwrap();
        let back: TaggedHiSlab<i32> = from_json(&json).unwrap();
        prop_assert_eq!(back.capacity(), 64);
        prop_assert!(back.iter().eq(slab.iter()));
        prop_assert!(back.iter_tagged().eq(slab.iter_tagged()));
        back.tags().check_invariants();
        prop_assert_eq!(back.insert(7), slab.insert(7));

        let plain: HiSlab<i32> = from_json(&serde_json::to_string(slab.as_hislab()).unwrap()).unwrap();
        let want: BTreeMap<u32, i32> = slab.iter().map(|(i, v)| (i, *v)).collect();
        prop_assert_eq!(plain.iter().map(|(i, v)| (i, *v)).collect::<BTreeMap<_, _>>(), want);
    }
}

#[test]
fn bad_input_is_an_error_naming_what_is_wrong() {
    let cases = [
        (
            r#"{"capacity":4,"values":[[4,1]]}"#,
            "HiSlab: index 4 is out of range (capacity 4)",
        ),
        (
            r#"{"capacity":4,"values":[[1,1],[1,2]]}"#,
            "HiSlab: index 1 appears twice",
        ),
        (r#"{"values":[]}"#, "missing field `capacity`"),
        (r#"{"capacity":4}"#, "missing field `values`"),
        (
            r#"{"capacity":4,"capacity":5,"values":[]}"#,
            "duplicate field `capacity`",
        ),
        (
            r#"{"capacity":4,"values":[],"extra":1}"#,
            "unknown field `extra`",
        ),
        (
            r#"{"capacity":4,"values":[],"tagged":[]}"#,
            "unknown field `tagged`",
        ),
        (r#"[4,[[0,5]]]"#, ""),
    ];
    for (json, want) in cases {
        match from_json::<HiSlab<i32>>(json) {
            Ok(s) => assert!(want.is_empty() && s[0] == 5, "{json}"),
            Err(e) => assert!(!want.is_empty() && e.contains(want), "{json}: {e}"),
        }
    }
    let tagged = [
        (
            r#"{"capacity":4,"values":[[0,1]],"tagged":[2]}"#,
            "tagged index 2 holds no value",
        ),
        (
            r#"{"capacity":4,"values":[[0,1]],"tagged":[0,0]}"#,
            "tagged index 0 appears twice",
        ),
        (
            r#"{"capacity":4,"values":[[0,1]]}"#,
            "missing field `tagged`",
        ),
        (
            r#"{"capacity":4,"values":[[9,1]],"tagged":[]}"#,
            "TaggedHiSlab: index 9 is out of range",
        ),
    ];
    for (json, want) in tagged {
        let e = from_json::<TaggedHiSlab<i32>>(json).err().unwrap();
        assert!(e.contains(want), "{json}: {e}");
    }
}
