//! [`Key`]: a 4-byte slot index for links between nodes.

use core::fmt;

/// A 4-byte slot index.
///
/// Keys carry no generation: whether a key names a live slot is answered by the occupancy
/// bitmap (`contains_key`), not by a stamp, so once a slot is freed and reused, its old key
/// names the new value. Keys are followed safely through an
/// [`Access`](crate::access::Access). [`Key::NONE`] is a sentinel that never names a slot,
/// so a `Key` field can stand where `Option<Box<Node>>` would (4 bytes instead of 8).
///
/// ```
/// use nexus_slab::Key;
/// let k = Key::from_raw(7);
/// assert_eq!(k.index(), 7);
/// assert!(k.is_some() && Key::NONE.is_none());
/// assert_eq!(Key::from_raw(k.into_raw()), k);
/// assert_eq!(core::mem::size_of::<Key>(), 4);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Key(u32);

impl Key {
    /// The sentinel: names no slot (`u32::MAX`).
    pub const NONE: Key = Key(u32::MAX);

    /// A key for slot `index`. (`Key::new(u32::MAX)` is [`Key::NONE`].)
    #[inline]
    pub const fn new(index: u32) -> Key {
        Key(index)
    }

    /// The index of the slot the key names (`u32::MAX` for [`Key::NONE`]): what `new` was
    /// given.
    #[inline]
    pub const fn index(self) -> u32 {
        self.0
    }

    /// The raw `u32`, for storage outside the process.
    #[inline]
    pub const fn into_raw(self) -> u32 {
        self.0
    }

    /// Rebuilds a key from [`into_raw`](Key::into_raw). Any `u32` is accepted: a key is only
    /// an index, checked against the bitmap wherever it is used safely.
    #[inline]
    pub const fn from_raw(raw: u32) -> Key {
        Key(raw)
    }

    /// `true` for [`Key::NONE`].
    #[inline]
    pub const fn is_none(self) -> bool {
        self.0 == u32::MAX
    }

    /// `true` unless this is [`Key::NONE`].
    #[inline]
    pub const fn is_some(self) -> bool {
        self.0 != u32::MAX
    }
}

impl Default for Key {
    /// [`Key::NONE`].
    fn default() -> Key {
        Key::NONE
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_none() {
            f.write_str("Key::NONE")
        } else {
            write!(f, "Key({})", self.0)
        }
    }
}

/// A [`Key`] with the generation of its slot: 8 bytes that tell a reused slot from the one
/// they were made for. Handed out for key-owned slots by
/// [`Access::insert_versioned`](crate::access::Access::insert_versioned) and
/// [`Access::versioned`](crate::access::Access::versioned); a slot's generation moves on
/// whenever it stops being key-owned (`remove`, `reclaim`), so every versioned key made
/// before no longer finds it, even once the slot holds a value again. (After 2³² such
/// reuses of one slot a generation comes round again.)
///
/// ```
/// use nexus_slab::bounded::BoundedSlab;
/// let slab = BoundedSlab::with_capacity(4);
/// let mut a = slab.access();
/// let old = a.insert_versioned("first");
/// assert_eq!(a.remove_versioned(old), Some("first"));
/// let new = a.insert_versioned("second"); // the same slot, reused
/// assert_eq!(new.key(), old.key());
/// assert_eq!(a.get_versioned(old), None); // stale: told apart
/// assert_eq!(a.get_versioned(new), Some(&"second"));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VersionedKey {
    key: Key,
    version: u32,
}

impl VersionedKey {
    pub(crate) const fn new(key: Key, version: u32) -> VersionedKey {
        VersionedKey { key, version }
    }

    /// The plain key (the slot index), for `get` and the other `Key` methods.
    #[inline]
    pub const fn key(self) -> Key {
        self.key
    }

    /// The slot's generation this key was made for.
    #[inline]
    pub const fn version(self) -> u32 {
        self.version
    }

    /// The raw `u64` (version in the high half), for storage outside the process.
    #[inline]
    pub const fn into_raw(self) -> u64 {
        ((self.version as u64) << 32) | self.key.into_raw() as u64
    }

    /// Rebuilds a key from [`into_raw`](VersionedKey::into_raw). Any `u64` is accepted: it is
    /// checked wherever it is used.
    #[inline]
    pub const fn from_raw(raw: u64) -> VersionedKey {
        VersionedKey {
            key: Key::from_raw(raw as u32),
            version: (raw >> 32) as u32,
        }
    }
}

impl fmt::Debug for VersionedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}v{}", self.key, self.version)
    }
}
