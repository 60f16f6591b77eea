//! What the CSV and XML writers share: the text a map key becomes, and the names serde_json's
//! own types serialize under. Both writers produce exactly what their format's rules give for
//! `serde_json::to_value(value)`, so both must read keys as `to_value` does.

use std::fmt::{Display, Write as _};
use std::marker::PhantomData;

use serde::ser::{self, Impossible, Serialize, Serializer};

/// The names under which serde_json's `RawValue` and (with `arbitrary_precision`) `Number`
/// serialize themselves as structs; `to_value` turns them into plain JSON values.
pub(crate) const JSON_TOKENS: [&str; 2] = [
    "$serde_json::private::RawValue",
    "$serde_json::private::Number",
];

/// A key `to_value` would not accept as it is: the writer takes the detour through
/// `to_value` (each writer's error maps `custom` to its detour).
fn detour<E: ser::Error>() -> E {
    E::custom("a key to_value writes otherwise")
}

/// Writes a map key as the text `to_value` makes of it (strings, numbers, booleans, unit
/// variants); other keys make `to_value` fail, so they take the detour.
pub(crate) fn key_text<K: Serialize + ?Sized, E: ser::Error>(
    key: &K,
    text: &mut String,
) -> Result<(), E> {
    text.clear();
    key.serialize(KeyText(text, PhantomData))
}

struct KeyText<'a, E>(&'a mut String, PhantomData<E>);

impl<E: ser::Error> KeyText<'_, E> {
    fn display(self, value: impl Display) -> Result<(), E> {
        write!(self.0, "{value}").map_err(|_| detour())
    }

    /// A float key, as serde_json writes it (an `f32` as an `f32`, unlike a float value).
    fn float<F: zmij::Float>(self, value: F, finite: bool) -> Result<(), E> {
        if !finite {
            return Err(detour());
        }
        self.0.push_str(zmij::Buffer::new().format_finite(value));
        Ok(())
    }
}

impl<E: ser::Error> Serializer for KeyText<'_, E> {
    type Ok = ();
    type Error = E;
    type SerializeSeq = Impossible<(), E>;
    type SerializeTuple = Impossible<(), E>;
    type SerializeTupleStruct = Impossible<(), E>;
    type SerializeTupleVariant = Impossible<(), E>;
    type SerializeMap = Impossible<(), E>;
    type SerializeStruct = Impossible<(), E>;
    type SerializeStructVariant = Impossible<(), E>;

    fn serialize_bool(self, v: bool) -> Result<(), E> {
        self.display(v)
    }
    fn serialize_i8(self, v: i8) -> Result<(), E> {
        self.display(v)
    }
    fn serialize_i16(self, v: i16) -> Result<(), E> {
        self.display(v)
    }
    fn serialize_i32(self, v: i32) -> Result<(), E> {
        self.display(v)
    }
    fn serialize_i64(self, v: i64) -> Result<(), E> {
        self.display(v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), E> {
        self.display(v)
    }
    fn serialize_u16(self, v: u16) -> Result<(), E> {
        self.display(v)
    }
    fn serialize_u32(self, v: u32) -> Result<(), E> {
        self.display(v)
    }
    fn serialize_u64(self, v: u64) -> Result<(), E> {
        self.display(v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), E> {
        self.float(v, v.is_finite())
    }
    fn serialize_f64(self, v: f64) -> Result<(), E> {
        self.float(v, v.is_finite())
    }
    fn serialize_char(self, _: char) -> Result<(), E> {
        // No generated type has such keys (nor `i128` ones, left to serde's refusal).
        Err(detour())
    }
    fn serialize_str(self, v: &str) -> Result<(), E> {
        self.0.push_str(v);
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), E> {
        Err(detour())
    }
    fn serialize_none(self) -> Result<(), E> {
        Err(detour())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), E> {
        Err(detour())
    }
    fn serialize_unit(self) -> Result<(), E> {
        Err(detour())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), E> {
        Err(detour())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), E> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), E> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), E> {
        Err(detour())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, E> {
        Err(detour())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, E> {
        Err(detour())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, E> {
        Err(detour())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, E> {
        Err(detour())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, E> {
        Err(detour())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, E> {
        Err(detour())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, E> {
        Err(detour())
    }
}
