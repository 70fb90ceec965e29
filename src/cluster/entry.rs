//! How a log entry is laid out in etcd. etcd refuses a request over 1.5 MiB
//! (`--max-request-bytes`), and one write-set can be far larger (an import
//! of 100,000 rows is one transaction). An entry is therefore either
//! inline, or a small reference to parts written beforehand:
//!
//! - inline (format 1): the format byte, the append time (ms since the
//!   epoch, little-endian u64) and the write-set's bytes;
//! - in parts (format 2): the format byte, the append time, then the parts'
//!   count (u32), compressed and plain lengths (u64 each), the SHA-256 of
//!   the compressed bytes, and the parts' key prefix. The write-set is
//!   compressed (zlib) and cut into parts of [`PART_BYTES`], each its own
//!   etcd key under that prefix, written with a lease (they vanish an hour
//!   later). Only the small entry goes through the log's compare, so a big
//!   write is still all or nothing, in order, on every node; a node that
//!   comes to an entry whose parts are gone copies a peer instead.

use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};

const INLINE: u8 = 1;
const IN_PARTS: u8 = 2;
/// The format byte and the append time.
const HEAD: usize = 9;
/// Largest inline entry: well inside etcd's default request limit, with
/// room for the JSON gateway's base64.
pub const INLINE_MAX: usize = 1 << 20;
/// Bytes per part.
pub const PART_BYTES: usize = 1 << 20;
/// The largest write-set a follower inflates (a bound on what a damaged
/// entry could make it allocate).
const PLAIN_MAX: u64 = 4 << 30;

/// Why an entry could not be read.
#[derive(Debug, thiserror::Error)]
pub enum EntryError {
    #[error(
        "a log entry in format {0}, which this build does not read: run one version on every node"
    )]
    Format(u8),
    #[error("a log entry is damaged: {0}")]
    Damaged(String),
}

/// A parsed entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// The write-set's bytes.
    Inline { at: u64, bytes: Vec<u8> },
    /// Where its parts are.
    InParts { at: u64, parts: Parts },
}

/// What an entry in parts says about them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parts {
    /// Their keys' common prefix; part `n` is `<prefix><n:08>`.
    pub prefix: String,
    pub count: u32,
    compressed: u64,
    plain: u64,
    sha256: [u8; 32],
}

impl Parts {
    /// The key of part `n`.
    pub fn key(&self, n: u32) -> String {
        part_key(&self.prefix, n)
    }
}

fn part_key(prefix: &str, n: u32) -> String {
    format!("{prefix}{n:08}")
}

/// An inline entry for `bytes` (a write-set) appended at `at`.
pub fn inline(at: u64, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEAD + bytes.len());
    out.push(INLINE);
    out.extend_from_slice(&at.to_le_bytes());
    out.extend_from_slice(bytes);
    out
}

/// A write-set compressed for an entry in parts, and the entry naming its
/// parts under `prefix`. The parts are slices of [`Compressed::bytes`]
/// ([`Compressed::parts`]), so nothing is held twice.
pub struct Compressed {
    pub entry: Vec<u8>,
    bytes: Vec<u8>,
    prefix: String,
}

impl Compressed {
    /// Each part's key and bytes, in order.
    pub fn parts(&self) -> impl Iterator<Item = (String, &[u8])> {
        self.bytes
            .chunks(PART_BYTES)
            .zip(0u32..)
            .map(|(c, n)| (part_key(&self.prefix, n), c))
    }
}

/// An entry in parts for the write-set `encode` writes (`plain` bytes in
/// all), appended at `at`, its parts under `prefix`. The write-set is
/// compressed as it is encoded: its plain bytes are never held whole.
pub fn in_parts(
    at: u64,
    plain: usize,
    encode: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    prefix: &str,
) -> std::io::Result<Compressed> {
    let mut z = ZlibEncoder::new(Vec::with_capacity(plain / 4), Compression::fast());
    encode(&mut z)?;
    let bytes = z.finish()?;
    let count = u32::try_from(bytes.len().div_ceil(PART_BYTES)).unwrap_or(u32::MAX);
    let mut entry = Vec::with_capacity(HEAD + 4 + 16 + 32 + prefix.len());
    entry.push(IN_PARTS);
    entry.extend_from_slice(&at.to_le_bytes());
    entry.extend_from_slice(&count.to_le_bytes());
    entry.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    entry.extend_from_slice(&(plain as u64).to_le_bytes());
    entry.extend_from_slice(&Sha256::digest(&bytes));
    entry.extend_from_slice(prefix.as_bytes());
    Ok(Compressed {
        entry,
        bytes,
        prefix: prefix.to_owned(),
    })
}

fn take<const N: usize>(bytes: &mut &[u8]) -> Result<[u8; N], EntryError> {
    if bytes.len() < N {
        return Err(EntryError::Damaged("it ends early".into()));
    }
    let (head, rest) = bytes.split_at(N);
    *bytes = rest;
    head.try_into()
        .map_err(|_| EntryError::Damaged("it ends early".into()))
}

/// Reads an entry as etcd holds it.
pub fn parse(mut bytes: &[u8]) -> Result<Entry, EntryError> {
    let [format] = take::<1>(&mut bytes)?;
    if format != INLINE && format != IN_PARTS {
        return Err(EntryError::Format(format));
    }
    let at = u64::from_le_bytes(take(&mut bytes)?);
    if format == INLINE {
        return Ok(Entry::Inline {
            at,
            bytes: bytes.to_vec(),
        });
    }
    let count = u32::from_le_bytes(take(&mut bytes)?);
    let compressed = u64::from_le_bytes(take(&mut bytes)?);
    let plain = u64::from_le_bytes(take(&mut bytes)?);
    let sha256 = take::<32>(&mut bytes)?;
    let prefix = String::from_utf8(bytes.to_vec())
        .map_err(|_| EntryError::Damaged("its parts' prefix".into()))?;
    Ok(Entry::InParts {
        at,
        parts: Parts {
            prefix,
            count,
            compressed,
            plain,
            sha256,
        },
    })
}

/// The write-set's bytes from its parts, in order, checked against what
/// the entry says of them.
pub fn join(parts: &Parts, pieces: &[Vec<u8>]) -> Result<Vec<u8>, EntryError> {
    let compressed: Vec<u8> = pieces.concat();
    if compressed.len() as u64 != parts.compressed
        || Sha256::digest(&compressed).as_slice() != parts.sha256
    {
        return Err(EntryError::Damaged("its parts do not match it".into()));
    }
    if parts.plain > PLAIN_MAX {
        return Err(EntryError::Damaged(format!("{} bytes", parts.plain)));
    }
    let mut plain = Vec::with_capacity(usize::try_from(parts.plain).unwrap_or(0));
    ZlibDecoder::new(compressed.as_slice())
        .take(parts.plain + 1)
        .read_to_end(&mut plain)
        .map_err(|e| EntryError::Damaged(e.to_string()))?;
    if plain.len() as u64 != parts.plain {
        return Err(EntryError::Damaged("its size".into()));
    }
    Ok(plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_in_parts_gives_back_the_bytes_and_refuses_damage() {
        // Bytes that compress poorly, so that they take several parts.
        let mut seed = 7u64;
        let bytes: Vec<u8> = (0..3 * PART_BYTES)
            .map(|_| {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                (seed >> 33) as u8
            })
            .collect();
        let made = in_parts(42, bytes.len(), |w| w.write_all(&bytes), "/set/parts/ab/").unwrap();
        let parts: Vec<(String, Vec<u8>)> = made.parts().map(|(k, p)| (k, p.to_vec())).collect();
        assert!(made.entry.len() < 100 && parts.len() >= 3);
        assert_eq!(parts[1].0, "/set/parts/ab/00000001");
        let Entry::InParts { at, parts: refs } = parse(&made.entry).unwrap() else {
            panic!("not in parts")
        };
        assert_eq!((at, refs.count as usize), (42, parts.len()));
        let pieces: Vec<Vec<u8>> = parts.iter().map(|(_, p)| p.clone()).collect();
        assert_eq!(join(&refs, &pieces).unwrap(), bytes);
        // A missing or altered part is refused.
        assert!(join(&refs, &pieces[..pieces.len() - 1]).is_err());
        let mut altered = pieces.clone();
        altered[0][10] ^= 1;
        assert!(join(&refs, &altered).is_err());

        assert_eq!(
            parse(&inline(5, b"ws")).unwrap(),
            Entry::Inline {
                at: 5,
                bytes: b"ws".to_vec()
            }
        );
        assert!(matches!(parse(&[9, 0]), Err(EntryError::Format(9))));
        assert!(parse(&[2, 0, 0]).is_err());
    }
}
