//! The keys a raw config struct accepts, read from its `Deserialize` impl so the list of
//! valid keys (used for "did you mean" suggestions) can never drift from the struct.

use serde::Deserialize;
use serde::de::Visitor;

/// The field names serde would accept for `T` (empty for anything that is not a struct).
pub(crate) fn field_names<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let mut fields: &'static [&'static str] = &[];
    // The grabber always fails; it only records what `deserialize_struct` was told.
    let _ = T::deserialize(FieldGrabber(&mut fields));
    fields
}

struct FieldGrabber<'a>(&'a mut &'static [&'static str]);

#[derive(Debug)]
struct Stop;

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("field names recorded")
    }
}

impl std::error::Error for Stop {}

impl serde::de::Error for Stop {
    fn custom<T: std::fmt::Display>(_msg: T) -> Self {
        Stop
    }
}

impl<'de> serde::Deserializer<'de> for FieldGrabber<'_> {
    type Error = Stop;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Stop> {
        *self.0 = fields;
        Err(Stop)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}
