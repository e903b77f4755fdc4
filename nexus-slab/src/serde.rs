//! `Serialize` and `Deserialize` for [`HiSlab`] and [`TaggedHiSlab`] (feature `serde`): a
//! slab is written as its capacity and its `(index, value)` pairs in index order (a tagged
//! one also as the list of tagged indices), and read back to the same indices. An index at or
//! past the capacity, or one that repeats, is a deserialization error, never a panic.
//!
//! ```
//! use nexus_slab::HiSlab;
//! let slab = HiSlab::new(0, 8).unwrap();
//! let (a, b) = (slab.insert("a".to_string()), slab.insert("b".to_string()));
//! let mut slab = slab;
//! slab.remove(a);
//! let json = serde_json::to_string(&slab).unwrap();
//! assert_eq!(json, r#"{"capacity":8,"values":[[1,"b"]]}"#);
//! let back: HiSlab<String> = serde_json::from_str(&json).unwrap();
//! assert_eq!((back.get(b).map(String::as_str), back.len()), (Some("b"), 1));
//! ```

use crate::{HiSlab, TaggedHiSlab};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::marker::PhantomData;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeStruct, Serializer};

/// The live values as a sequence of `(index, value)`.
struct Values<'a, T>(&'a HiSlab<T>);

impl<T: Serialize> Serialize for Values<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter())
    }
}

/// The tagged indices as a sequence.
struct Tags<'a, T>(&'a TaggedHiSlab<T>);

impl<T> Serialize for Tags<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter_tagged().map(|(idx, _)| idx))
    }
}

impl<T: Serialize> Serialize for HiSlab<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("HiSlab", 2)?;
        st.serialize_field("capacity", &self.capacity())?;
        st.serialize_field("values", &Values(self))?;
        st.end()
    }
}

impl<T: Serialize> Serialize for TaggedHiSlab<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("TaggedHiSlab", 3)?;
        st.serialize_field("capacity", &self.capacity())?;
        st.serialize_field("values", &Values(self.as_hislab()))?;
        st.serialize_field("tagged", &Tags(self))?;
        st.end()
    }
}

/// The fields as read, in any order.
struct Parts<T> {
    capacity: u32,
    values: Vec<(u32, T)>,
    tagged: Vec<u32>,
}

/// Reads a `HiSlab` (`tagged: false`) or a `TaggedHiSlab`'s fields.
struct PartsVisitor<T> {
    name: &'static str,
    tagged: bool,
    _value: PhantomData<T>,
}

const FIELDS: &[&str] = &["capacity", "values", "tagged"];

impl<'de, T: Deserialize<'de>> Visitor<'de> for PartsVisitor<T> {
    type Value = Parts<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} (capacity and (index, value) pairs)", self.name)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Parts<T>, A::Error> {
        let capacity = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let values = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        let tagged = if self.tagged {
            seq.next_element()?
                .ok_or_else(|| de::Error::invalid_length(2, &self))?
        } else {
            Vec::new()
        };
        Ok(Parts {
            capacity,
            values,
            tagged,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parts<T>, A::Error> {
        let fields = if self.tagged { FIELDS } else { &FIELDS[..2] };
        let (mut capacity, mut values, mut tagged) = (None, None, None);
        while let Some(key) = map.next_key::<String>()? {
            let duplicate = match key.as_str() {
                "capacity" => capacity.replace(map.next_value()?).is_some(),
                "values" => values.replace(map.next_value()?).is_some(),
                "tagged" if self.tagged => tagged.replace(map.next_value()?).is_some(),
                other => return Err(de::Error::unknown_field(other, fields)),
            };
            if duplicate {
                return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
            }
        }
        Ok(Parts {
            capacity: capacity.ok_or_else(|| de::Error::missing_field("capacity"))?,
            values: values.ok_or_else(|| de::Error::missing_field("values"))?,
            tagged: match tagged {
                Some(t) => t,
                None if self.tagged => return Err(de::Error::missing_field("tagged")),
                None => Vec::new(),
            },
        })
    }
}

/// Builds the slab of `parts`: every value at its index.
fn build<T, E: de::Error>(name: &str, parts: Parts<T>) -> Result<(HiSlab<T>, Vec<u32>), E> {
    let slab = HiSlab::new(0, parts.capacity)
        .map_err(|e| E::custom(format_args!("{name} of capacity {}: {e}", parts.capacity)))?;
    for (idx, value) in parts.values {
        if idx >= parts.capacity {
            return Err(E::custom(format_args!(
                "{name}: index {idx} is out of range (capacity {})",
                parts.capacity
            )));
        }
        if slab.insert_at(idx, value).is_err() {
            return Err(E::custom(format_args!("{name}: index {idx} appears twice")));
        }
    }
    Ok((slab, parts.tagged))
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for HiSlab<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let parts = d.deserialize_struct(
            "HiSlab",
            &FIELDS[..2],
            PartsVisitor {
                name: "HiSlab",
                tagged: false,
                _value: PhantomData,
            },
        )?;
        Ok(build::<T, D::Error>("HiSlab", parts)?.0)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for TaggedHiSlab<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let parts = d.deserialize_struct(
            "TaggedHiSlab",
            FIELDS,
            PartsVisitor {
                name: "TaggedHiSlab",
                tagged: true,
                _value: PhantomData,
            },
        )?;
        let (slab, tagged) = build::<T, D::Error>("TaggedHiSlab", parts)?;
        let mut slab = TaggedHiSlab::untagged(slab, 0).map_err(de::Error::custom)?;
        for idx in tagged {
            if !slab.is_occupied(idx) {
                return Err(de::Error::custom(format_args!(
                    "TaggedHiSlab: tagged index {idx} holds no value"
                )));
            }
            if !slab.tag(idx) {
                return Err(de::Error::custom(format_args!(
                    "TaggedHiSlab: tagged index {idx} appears twice"
                )));
            }
        }
        Ok(slab)
    }
}

#[cfg(test)]
mod tests;
