//! The row count of a Parquet file, from its footer alone.
//!
//! A Parquet file ends with its metadata (`FileMetaData`, in Thrift's
//! compact protocol), the metadata's length as four little-endian bytes,
//! and the magic `PAR1`. The live grade reads the last 8 bytes, then the
//! footer, with two ranged GETs, and takes `num_rows` (field 3). Only what
//! comes before it (the format version and the schema) is walked, by a
//! reader that knows Thrift's wire types and nothing of Parquet's structs;
//! a malformed footer is an error, never a panic (nesting is limited).

/// The magic at both ends of a Parquet file.
pub const MAGIC: &[u8; 4] = b"PAR1";

/// The footer's length from a file's last 8 bytes.
pub fn footer_len(tail: &[u8]) -> Result<u32, String> {
    let [a, b, c, d, rest @ ..] = tail else {
        return Err(format!("{} byte(s): too short for Parquet", tail.len()));
    };
    if rest != MAGIC {
        return Err("it does not end with Parquet's magic `PAR1`".to_owned());
    }
    Ok(u32::from_le_bytes([*a, *b, *c, *d]))
}

/// `num_rows` of a `FileMetaData` (the footer, without the length and the
/// magic).
pub fn num_rows(footer: &[u8]) -> Result<u64, String> {
    let mut r = Reader {
        bytes: footer,
        at: 0,
    };
    let mut last = 0_i16;
    loop {
        let (id, kind) = r.field_header(&mut last)?;
        match (id, kind) {
            (_, STOP) => return Err("the footer has no `num_rows`".to_owned()),
            (3, I64) => {
                let n = r.zigzag()?;
                return u64::try_from(n).map_err(|_| format!("`num_rows` is negative ({n})"));
            }
            (_, kind) => r.skip(kind, 0)?,
        }
    }
}

const STOP: u8 = 0;
const TRUE: u8 = 1;
const FALSE: u8 = 2;
const BYTE: u8 = 3;
const I16: u8 = 4;
const I32: u8 = 5;
const I64: u8 = 6;
const DOUBLE: u8 = 7;
const BINARY: u8 = 8;
const LIST: u8 = 9;
const SET: u8 = 10;
const MAP: u8 = 11;
const STRUCT: u8 = 12;

/// Deeper than any Parquet schema nests its metadata.
const MAX_DEPTH: usize = 64;

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, String> {
        let b = *self
            .bytes
            .get(self.at)
            .ok_or("the footer ends in the middle of a value")?;
        self.at += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut value = 0_u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("a number in the footer runs past 64 bits".to_owned())
    }

    fn zigzag(&mut self) -> Result<i64, String> {
        let v = self.varint()?;
        Ok((v >> 1).cast_signed() ^ -(v & 1).cast_signed())
    }

    fn advance(&mut self, n: u64) -> Result<(), String> {
        let end = usize::try_from(n)
            .ok()
            .and_then(|n| self.at.checked_add(n))
            .filter(|end| *end <= self.bytes.len())
            .ok_or("a value runs past the end of the footer")?;
        self.at = end;
        Ok(())
    }

    /// A field's id and type; `last` is the previous field's id.
    fn field_header(&mut self, last: &mut i16) -> Result<(i16, u8), String> {
        let b = self.byte()?;
        let kind = b & 0x0f;
        if kind == STOP {
            return Ok((0, STOP));
        }
        let delta = i16::from(b >> 4);
        let id = if delta == 0 {
            i16::try_from(self.zigzag()?).map_err(|_| "a field id out of range")?
        } else {
            last.checked_add(delta).ok_or("a field id out of range")?
        };
        *last = id;
        Ok((id, kind))
    }

    fn skip(&mut self, kind: u8, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("the footer nests too deep".to_owned());
        }
        match kind {
            TRUE | FALSE => Ok(()),
            BYTE => self.advance(1),
            I16 | I32 | I64 => self.varint().map(|_| ()),
            DOUBLE => self.advance(8),
            BINARY => {
                let n = self.varint()?;
                self.advance(n)
            }
            LIST | SET => {
                let head = self.byte()?;
                let element = head & 0x0f;
                let size = match head >> 4 {
                    15 => self.varint()?,
                    n => u64::from(n),
                };
                for _ in 0..size {
                    // A bool in a list is a whole byte.
                    if matches!(element, TRUE | FALSE) {
                        self.advance(1)?;
                    } else {
                        self.skip(element, depth + 1)?;
                    }
                }
                Ok(())
            }
            MAP => {
                let size = self.varint()?;
                if size == 0 {
                    return Ok(());
                }
                let kinds = self.byte()?;
                for _ in 0..size {
                    self.skip(kinds >> 4, depth + 1)?;
                    self.skip(kinds & 0x0f, depth + 1)?;
                }
                Ok(())
            }
            STRUCT => {
                let mut last = 0_i16;
                loop {
                    let (_, kind) = self.field_header(&mut last)?;
                    if kind == STOP {
                        return Ok(());
                    }
                    self.skip(kind, depth + 1)?;
                }
            }
            other => Err(format!("an unknown Thrift type {other} in the footer")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A footer as a Parquet writer lays it out: version, a schema of two
    /// elements (a struct with a name, a string, a list), then num_rows.
    fn footer(rows: i64) -> Vec<u8> {
        let zig = |n: i64| ((n << 1) ^ (n >> 63)).cast_unsigned();
        let varint = |mut v: u64, out: &mut Vec<u8>| loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                break;
            }
            out.push(b | 0x80);
        };
        let mut f = vec![0x15]; // field 1, i32
        varint(zig(2), &mut f);
        f.push(0x19); // field 2, list
        f.push(0x2c); // 2 structs
        for name in ["schema", "price"] {
            f.push(0x48); // field 4 (name), binary
            varint(name.len() as u64, &mut f);
            f.extend_from_slice(name.as_bytes());
            f.push(0x11); // field 5, bool true
            f.push(0x19); // field 6, list of 3 i32
            f.push(0x35);
            for n in [1, -1, 300] {
                varint(zig(n), &mut f);
            }
            f.push(0);
        }
        f.push(0x16); // field 3, i64
        varint(zig(rows), &mut f);
        f.push(0x19); // field 4, an empty list
        f.push(0x0c);
        f.push(0);
        f
    }

    #[test]
    fn rows_come_from_the_footer() {
        assert_eq!(num_rows(&footer(337)), Ok(337));
        assert_eq!(num_rows(&footer(0)), Ok(0));
        assert_eq!(num_rows(&footer(5_000_000_000)), Ok(5_000_000_000));
        assert!(num_rows(&footer(-1)).unwrap_err().contains("negative"));
    }

    #[test]
    fn broken_footers_are_errors() {
        let f = footer(337);
        for cut in 0..f.len() - 3 {
            assert!(num_rows(&f[..cut]).is_err(), "cut at {cut}");
        }
        assert!(num_rows(&[0x19; 100]).is_err());
        assert!(num_rows(&[0x1c; 1000]).unwrap_err().contains("too deep"));
        assert_eq!(footer_len(b"\x10\0\0\0PAR1"), Ok(16));
        assert!(footer_len(b"\x10\0\0\0PAR2").is_err());
        assert!(footer_len(b"PAR1").is_err());
    }
}
