//! The protobuf wire format, as far as the export needs it: a reader that walks fields
//! (varints, length-delimited bytes, and every other wire type skipped when unknown, groups
//! included) and the few writers the export's encoder uses. No protoc, no generated code.

/// What is wrong with protobuf bytes. Offsets count bytes of the decoded payload from 0.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
#[non_exhaustive]
pub enum ProtobufError {
    /// The bytes end in the middle of a number.
    #[error("a number at byte {offset} is cut off")]
    TruncatedVarint {
        /// Where the number starts.
        offset: usize,
    },
    /// A number longer than 64 bits.
    #[error("a number at byte {offset} is longer than 64 bits")]
    VarintTooLong {
        /// Where the number starts.
        offset: usize,
    },
    /// A field claims more bytes than are left.
    #[error("the field at byte {offset} claims {length} bytes but only {available} are left")]
    LengthPastEnd {
        /// Where the field starts.
        offset: usize,
        /// The length it claims.
        length: u64,
        /// The bytes left after its header.
        available: usize,
    },
    /// Field number 0 or above 2^29-1.
    #[error("the field at byte {offset} has an invalid field number")]
    InvalidFieldNumber {
        /// Where the field starts.
        offset: usize,
    },
    /// Wire type 6 or 7, which do not exist.
    #[error("the field at byte {offset} has wire type {wire_type}, which does not exist")]
    InvalidWireType {
        /// Where the field starts.
        offset: usize,
        /// The wire type.
        wire_type: u8,
    },
    /// A known field with the wrong wire type.
    #[error(
        "field {field} of {message} at byte {offset} has wire type {found}, \
         not {expected} as it should"
    )]
    WrongWireType {
        /// Where the field starts.
        offset: usize,
        /// The field number.
        field: u32,
        /// The message it is in.
        message: &'static str,
        /// The wire type found.
        found: u8,
        /// The wire type the field has.
        expected: u8,
    },
    /// A group end without its start, a start without its end, or mismatched numbers.
    #[error("the group at byte {offset} is not closed properly")]
    UnmatchedGroup {
        /// Where the group (or the stray end) starts.
        offset: usize,
    },
    /// Groups nested deeper than any real message.
    #[error("groups nested too deeply at byte {offset}")]
    TooDeep {
        /// Where the group that went too deep starts.
        offset: usize,
    },
}

/// The longest varint: 10 bytes for 64 bits.
pub(super) const MAX_VARINT_LEN: usize = 10;

/// Groups nested deeper than this are refused (prost's recursion limit is 100).
pub(super) const MAX_GROUP_DEPTH: usize = 100;

/// Reads fields from protobuf bytes; `base` is where `buf` starts in the whole payload, so
/// errors inside an entry give offsets in the payload.
#[derive(Debug, Clone, Copy)]
pub(super) struct Reader<'a> {
    pub(super) buf: &'a [u8],
    pos: usize,
    base: usize,
}

/// One field, with its value read (length-delimited) or skipped (fixed-size, groups).
pub(super) struct Field<'a> {
    pub(super) number: u32,
    offset: usize,
    pub(super) value: Value<'a>,
}

#[derive(Clone, Copy)]
pub(super) enum Value<'a> {
    /// Wire type 0.
    Varint(u64),
    /// Wire type 2: a reader over the bytes.
    Bytes(Reader<'a>),
    /// Wire types 1, 3 and 5, skipped.
    Skipped(u8),
}

impl Value<'_> {
    fn wire_type(&self) -> u8 {
        match self {
            Value::Varint(_) => 0,
            Value::Bytes(_) => 2,
            Value::Skipped(wire_type) => *wire_type,
        }
    }
}

impl Field<'_> {
    pub(super) fn wrong_wire_type(
        &self,
        message: &'static str,
        number: u32,
        value: Value<'_>,
        expected: u8,
    ) -> ProtobufError {
        ProtobufError::WrongWireType {
            offset: self.offset,
            field: number,
            message,
            found: value.wire_type(),
            expected,
        }
    }
}

impl<'a> Reader<'a> {
    pub(super) fn new(buf: &'a [u8], base: usize) -> Self {
        Self { buf, pos: 0, base }
    }

    fn offset(&self) -> usize {
        self.base + self.pos
    }

    fn varint(&mut self) -> Result<u64, ProtobufError> {
        let offset = self.offset();
        let mut value = 0u64;
        for i in 0..MAX_VARINT_LEN {
            let Some(&byte) = self.buf.get(self.pos) else {
                return Err(ProtobufError::TruncatedVarint { offset });
            };
            self.pos += 1;
            // The tenth byte carries the 64th bit only.
            if i == MAX_VARINT_LEN - 1 && byte > 1 {
                return Err(ProtobufError::VarintTooLong { offset });
            }
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(ProtobufError::VarintTooLong { offset })
    }

    /// The next `length` bytes, for the field that starts at `offset`.
    fn take(&mut self, length: u64, offset: usize) -> Result<Reader<'a>, ProtobufError> {
        let available = self.buf.len() - self.pos;
        match usize::try_from(length) {
            Ok(len) if len <= available => {
                let reader = Reader::new(&self.buf[self.pos..self.pos + len], self.offset());
                self.pos += len;
                Ok(reader)
            }
            _ => Err(ProtobufError::LengthPastEnd {
                offset,
                length,
                available,
            }),
        }
    }

    /// The field's number and wire type.
    fn key(&mut self) -> Result<(u32, u8), ProtobufError> {
        let offset = self.offset();
        let key = self.varint()?;
        let number = key >> 3;
        if number == 0 || number > (1 << 29) - 1 {
            return Err(ProtobufError::InvalidFieldNumber { offset });
        }
        Ok((number as u32, (key & 7) as u8))
    }

    /// Reads past the value of a non-group field of wire type `wire_type`.
    fn value(&mut self, wire_type: u8, offset: usize) -> Result<Value<'a>, ProtobufError> {
        match wire_type {
            0 => Ok(Value::Varint(self.varint()?)),
            1 => self.take(8, offset).map(|_| Value::Skipped(1)),
            2 => {
                let length = self.varint()?;
                self.take(length, offset).map(Value::Bytes)
            }
            5 => self.take(4, offset).map(|_| Value::Skipped(5)),
            3 | 4 => Err(ProtobufError::UnmatchedGroup { offset }),
            _ => Err(ProtobufError::InvalidWireType { offset, wire_type }),
        }
    }

    /// The next field, or `None` at the end.
    pub(super) fn next_field(&mut self) -> Result<Option<Field<'a>>, ProtobufError> {
        if self.pos >= self.buf.len() {
            return Ok(None);
        }
        let offset = self.offset();
        let (number, wire_type) = self.key()?;
        let value = if wire_type == 3 {
            self.skip_group(number, offset)?;
            Value::Skipped(3)
        } else {
            self.value(wire_type, offset)?
        };
        Ok(Some(Field {
            number,
            offset,
            value,
        }))
    }

    /// Skips a group (deprecated, but a reader must get past unknown ones) whose start tag
    /// with `number` was just read, up to and including its matching end tag.
    fn skip_group(&mut self, number: u32, offset: usize) -> Result<(), ProtobufError> {
        let mut open = vec![number];
        while let Some(&innermost) = open.last() {
            if self.pos >= self.buf.len() {
                return Err(ProtobufError::UnmatchedGroup { offset });
            }
            let field_offset = self.offset();
            let (number, wire_type) = self.key()?;
            match wire_type {
                3 => {
                    if open.len() >= MAX_GROUP_DEPTH {
                        return Err(ProtobufError::TooDeep {
                            offset: field_offset,
                        });
                    }
                    open.push(number);
                }
                4 if number == innermost => {
                    open.pop();
                }
                4 => {
                    return Err(ProtobufError::UnmatchedGroup {
                        offset: field_offset,
                    });
                }
                _ => {
                    self.value(wire_type, field_offset)?;
                }
            }
        }
        Ok(())
    }
}

pub(super) fn varint_len(value: u64) -> usize {
    (64 - value.leading_zeros() as usize).div_ceil(7).max(1)
}

pub(super) fn bytes_field_len(len: usize) -> usize {
    1 + varint_len(len as u64) + len
}

pub(super) fn write_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

pub(super) fn write_key(out: &mut Vec<u8>, number: u8, wire_type: u8) {
    out.push((number << 3) | wire_type);
}

pub(super) fn write_varint_field(out: &mut Vec<u8>, number: u8, value: u64) {
    write_key(out, number, 0);
    write_varint(out, value);
}

pub(super) fn write_bytes_field(out: &mut Vec<u8>, number: u8, bytes: &[u8]) {
    write_key(out, number, 2);
    write_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}
