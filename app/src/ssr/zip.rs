//! The album download: a streaming ZIP writer for the originals, and the names they get.
//!
//! STORE only (JPEGs don't compress), so every byte of the archive is known from the
//! entries' names and sizes before the first one is sent: [`ZipPlan::total_len`] gives the
//! `Content-Length`, and the writer emits exactly that many bytes or fails with a typed error.
//! The headers are encoded by the same functions when planning and when writing, so the two
//! cannot disagree. CRCs are computed while streaming and sent in data descriptors (flag bit 3).
//!
//! ZIP64 is used per field, only where a value does not fit: an entry of 4 GiB − 1 or more gets
//! a ZIP64 local header and an 8-byte data descriptor; an entry whose local header starts at
//! 4 GiB − 1 or later gets its offset in the central ZIP64 extra field; and the ZIP64 end
//! records are written when there are more than 65 534 entries, or the central directory
//! starts at or is 4 GiB − 1 or more. A small album is a plain ZIP.

use crate::text::is_invisible;
use chrono::{DateTime, Datelike, Timelike};
use std::collections::{HashMap, HashSet};

/// One file of the archive, as planned: its (already safe and unique) name, its exact
/// length, and its modification time in Unix milliseconds (the photo's `created_at`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZipEntry {
    pub name: String,
    pub size: u64,
    pub modified_ms: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ZipError {
    #[error("an entry name must be 1 to 65 535 bytes")]
    BadName { index: usize },
    #[error("the archive would be longer than 2^64 bytes")]
    TooLarge,
    #[error("entry {got} started, but entry {expected} is next")]
    OutOfOrder { expected: usize, got: usize },
    #[error("no entry is open")]
    NoOpenEntry,
    #[error("entry {index} is still open")]
    EntryOpen { index: usize },
    #[error("entry {index} got more than its planned {planned} bytes")]
    TooLong { index: usize, planned: u64 },
    #[error("entry {index} got {got} of its planned {planned} bytes")]
    TooShort {
        index: usize,
        planned: u64,
        got: u64,
    },
    #[error("only {written} of {planned} entries were written")]
    Unfinished { written: usize, planned: usize },
    #[error("the archive is already finished")]
    Finished,
}

/// Where ZIP64 starts. Real archives use the format's limits; tests lower them to get a
/// ZIP64 archive from a few bytes.
#[derive(Clone, Copy, Debug)]
struct Limits {
    /// A 4-byte size or offset at or above this is stored as 0xFFFF_FFFF plus a ZIP64 value.
    wide: u64,
    /// An entry count at or above this is stored as 0xFFFF plus a ZIP64 value.
    count: u64,
}

const FORMAT_LIMITS: Limits = Limits {
    wide: 0xFFFF_FFFF,
    count: 0xFFFF,
};

const LOCAL_HEADER_SIG: u32 = 0x0403_4b50;
const DESCRIPTOR_SIG: u32 = 0x0807_4b50;
const CENTRAL_HEADER_SIG: u32 = 0x0201_4b50;
const ZIP64_END_SIG: u32 = 0x0606_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const END_SIG: u32 = 0x0605_4b50;
/// Bit 3: sizes and CRC follow the data; bit 11: the name is UTF-8.
const FLAGS: u16 = 0x0808;
/// 2.0 for data descriptors, 4.5 for ZIP64.
const VERSION_PLAIN: u16 = 20;
const VERSION_ZIP64: u16 = 45;
/// Made on Unix (so the external attributes are a mode) by a 6.3 writer (UTF-8 names).
const VERSION_MADE_BY: u16 = 0x0300 | 63;
/// A regular file, rw-r--r--.
const EXTERNAL_ATTRS: u32 = 0o100_644 << 16;
const ZIP64_EXTRA: u16 = 0x0001;
const TIMESTAMP_EXTRA: u16 = 0x5455;

/// An entry with everything its headers need except the CRC.
#[derive(Clone, Debug)]
struct Planned {
    name: String,
    size: u64,
    offset: u64,
    /// The size does not fit 4 bytes: ZIP64 local header and data descriptor.
    wide_size: bool,
    /// The local header's offset does not fit 4 bytes: ZIP64 central extra field.
    wide_offset: bool,
    dos_time: u16,
    dos_date: u16,
    /// Unix seconds for the extended-timestamp field, when they fit its signed 4 bytes.
    unix_time: Option<u32>,
}

impl Planned {
    fn version_needed(&self) -> u16 {
        if self.wide_size || self.wide_offset {
            VERSION_ZIP64
        } else {
            VERSION_PLAIN
        }
    }
}

/// The whole layout of an archive, computed before any byte is sent.
#[derive(Clone, Debug)]
pub struct ZipPlan {
    entries: Vec<Planned>,
    limits: Limits,
    central_offset: u64,
    central_len: u64,
    total_len: u64,
}

impl ZipPlan {
    pub fn new(entries: Vec<ZipEntry>) -> Result<Self, ZipError> {
        Self::with_limits(entries, FORMAT_LIMITS)
    }

    fn with_limits(entries: Vec<ZipEntry>, limits: Limits) -> Result<Self, ZipError> {
        let mut planned = Vec::with_capacity(entries.len());
        let mut offset = 0u64;
        for (index, entry) in entries.into_iter().enumerate() {
            if entry.name.is_empty() || entry.name.len() > usize::from(u16::MAX) {
                return Err(ZipError::BadName { index });
            }
            let (dos_time, dos_date) = dos_date_time(entry.modified_ms);
            let p = Planned {
                wide_size: entry.size >= limits.wide,
                wide_offset: offset >= limits.wide,
                name: entry.name,
                size: entry.size,
                offset,
                dos_time,
                dos_date,
                unix_time: unix_seconds(entry.modified_ms),
            };
            offset = add(&[
                offset,
                len(&local_header(&p)),
                p.size,
                len(&descriptor(&p, 0)),
            ])?;
            planned.push(p);
        }
        let mut central_len = 0u64;
        for p in &planned {
            central_len = add(&[central_len, len(&central_header(p, 0))])?;
        }
        let end = end_records(planned.len(), offset, central_len, limits);
        let total_len = add(&[offset, central_len, len(&end)])?;
        Ok(Self {
            entries: planned,
            limits,
            central_offset: offset,
            central_len,
            total_len,
        })
    }

    /// The archive's exact length: the `Content-Length` of the download.
    pub fn total_len(&self) -> u64 {
        self.total_len
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Writes a planned archive entry by entry. The caller sends each returned header, then
/// each data chunk as it is (after [`ZipWriter::data`] accepted it), so no file is held
/// whole. On any error the response must be aborted: bytes already sent cannot be taken
/// back, and the archive would not be the planned one.
#[derive(Debug)]
pub struct ZipWriter {
    plan: ZipPlan,
    crcs: Vec<u32>,
    open: Option<Open>,
    finished: bool,
}

#[derive(Debug)]
struct Open {
    index: usize,
    hasher: crc32fast::Hasher,
    seen: u64,
}

impl ZipWriter {
    pub fn new(plan: ZipPlan) -> Self {
        let crcs = Vec::with_capacity(plan.entries.len());
        Self {
            plan,
            crcs,
            open: None,
            finished: false,
        }
    }

    /// The local header of entry `index`; entries go in plan order, since the central
    /// directory records the offsets the plan gave them.
    pub fn start_entry(&mut self, index: usize) -> Result<Vec<u8>, ZipError> {
        self.ready()?;
        let expected = self.crcs.len();
        let entry = match self.plan.entries.get(index) {
            Some(entry) if index == expected => entry,
            _ => {
                return Err(ZipError::OutOfOrder {
                    expected,
                    got: index,
                })
            }
        };
        self.open = Some(Open {
            index,
            hasher: crc32fast::Hasher::new(),
            seen: 0,
        });
        Ok(local_header(entry))
    }

    /// Accounts for the next chunk of the open entry. Call it before sending the chunk:
    /// a chunk that would overrun the planned size is refused whole.
    pub fn data(&mut self, chunk: &[u8]) -> Result<(), ZipError> {
        let open = self.open.as_mut().ok_or(ZipError::NoOpenEntry)?;
        let planned = self.plan.entries.get(open.index).map_or(0, |e| e.size);
        let seen = open
            .seen
            .checked_add(len(chunk))
            .filter(|&seen| seen <= planned)
            .ok_or(ZipError::TooLong {
                index: open.index,
                planned,
            })?;
        open.hasher.update(chunk);
        open.seen = seen;
        Ok(())
    }

    /// The data descriptor (CRC and sizes) that closes the open entry.
    pub fn finish_entry(&mut self) -> Result<Vec<u8>, ZipError> {
        let open = self.open.as_ref().ok_or(ZipError::NoOpenEntry)?;
        let entry = self
            .plan
            .entries
            .get(open.index)
            .ok_or(ZipError::NoOpenEntry)?;
        if open.seen != entry.size {
            return Err(ZipError::TooShort {
                index: open.index,
                planned: entry.size,
                got: open.seen,
            });
        }
        let crc = open.hasher.clone().finalize();
        let bytes = descriptor(entry, crc);
        self.crcs.push(crc);
        self.open = None;
        Ok(bytes)
    }

    /// The central directory and end records, once every entry has been written.
    pub fn finish(&mut self) -> Result<Vec<u8>, ZipError> {
        self.ready()?;
        let plan = &self.plan;
        if self.crcs.len() != plan.entries.len() {
            return Err(ZipError::Unfinished {
                written: self.crcs.len(),
                planned: plan.entries.len(),
            });
        }
        let mut out = Vec::new();
        for (entry, &crc) in plan.entries.iter().zip(&self.crcs) {
            out.extend(central_header(entry, crc));
        }
        out.extend(end_records(
            plan.entries.len(),
            plan.central_offset,
            plan.central_len,
            plan.limits,
        ));
        self.finished = true;
        Ok(out)
    }

    fn ready(&self) -> Result<(), ZipError> {
        match &self.open {
            _ if self.finished => Err(ZipError::Finished),
            Some(open) => Err(ZipError::EntryOpen { index: open.index }),
            None => Ok(()),
        }
    }
}

fn len(bytes: &[u8]) -> u64 {
    u64::try_from(bytes.len()).unwrap_or(u64::MAX)
}

fn add(parts: &[u64]) -> Result<u64, ZipError> {
    parts
        .iter()
        .try_fold(0u64, |sum, &part| sum.checked_add(part))
        .ok_or(ZipError::TooLarge)
}

/// A 4-byte field: the value, or the ZIP64 marker when the value went to an extra field.
fn u32_or_marker(value: u64, wide: bool) -> u32 {
    if wide {
        u32::MAX
    } else {
        u32::try_from(value).unwrap_or(u32::MAX)
    }
}

/// Little-endian field writer for the fixed-layout records.
struct Record(Vec<u8>);

impl Record {
    fn new(signature: u32) -> Self {
        let mut record = Self(Vec::with_capacity(64));
        record.u32(signature);
        record
    }
    /// An extra field: tag, length, then what `body` writes.
    fn extra(&mut self, tag: u16, body: impl FnOnce(&mut Record)) -> &mut Self {
        let mut field = Record(Vec::new());
        body(&mut field);
        self.u16(tag).u16(u16_len(&field.0)).bytes(&field.0)
    }
    fn u16(&mut self, v: u16) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn u32(&mut self, v: u32) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn u64(&mut self, v: u64) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn bytes(&mut self, v: &[u8]) -> &mut Self {
        self.0.extend_from_slice(v);
        self
    }
}

/// A 2-byte length; names are checked when planning and extra fields are at most 37 bytes.
fn u16_len(bytes: &[u8]) -> u16 {
    u16::try_from(bytes.len()).unwrap_or(u16::MAX)
}

fn timestamp_extra(entry: &Planned, extra: &mut Record) {
    if let Some(secs) = entry.unix_time {
        // Flag bit 0: only the modification time follows.
        extra.extra(TIMESTAMP_EXTRA, |f| {
            f.bytes(&[1]).u32(secs);
        });
    }
}

fn local_header(entry: &Planned) -> Vec<u8> {
    let mut extra = Record(Vec::new());
    if entry.wide_size {
        // Sizes are zero, as bit 3 asks; the field's presence tells readers that the data
        // descriptor carries 8-byte sizes.
        extra.extra(ZIP64_EXTRA, |f| {
            f.u64(0).u64(0);
        });
    }
    timestamp_extra(entry, &mut extra);
    let extra = extra.0;
    let sizes = if entry.wide_size { u32::MAX } else { 0 };
    let mut r = Record::new(LOCAL_HEADER_SIG);
    r.u16(entry.version_needed())
        .u16(FLAGS)
        .u16(0) // stored
        .u16(entry.dos_time)
        .u16(entry.dos_date)
        .u32(0) // the CRC is in the data descriptor
        .u32(sizes)
        .u32(sizes)
        .u16(u16_len(entry.name.as_bytes()))
        .u16(u16_len(&extra))
        .bytes(entry.name.as_bytes())
        .bytes(&extra);
    r.0
}

fn descriptor(entry: &Planned, crc: u32) -> Vec<u8> {
    let mut r = Record::new(DESCRIPTOR_SIG);
    r.u32(crc);
    if entry.wide_size {
        r.u64(entry.size).u64(entry.size);
    } else {
        let size = u32_or_marker(entry.size, entry.wide_size);
        r.u32(size).u32(size);
    }
    r.0
}

fn central_header(entry: &Planned, crc: u32) -> Vec<u8> {
    let mut extra = Record(Vec::new());
    if entry.wide_size || entry.wide_offset {
        // Only the fields marked 0xFFFF_FFFF below, in the format's order.
        extra.extra(ZIP64_EXTRA, |f| {
            if entry.wide_size {
                f.u64(entry.size).u64(entry.size);
            }
            if entry.wide_offset {
                f.u64(entry.offset);
            }
        });
    }
    timestamp_extra(entry, &mut extra);
    let extra = extra.0;
    let size = u32_or_marker(entry.size, entry.wide_size);
    let mut r = Record::new(CENTRAL_HEADER_SIG);
    r.u16(VERSION_MADE_BY)
        .u16(entry.version_needed())
        .u16(FLAGS)
        .u16(0) // stored
        .u16(entry.dos_time)
        .u16(entry.dos_date)
        .u32(crc)
        .u32(size)
        .u32(size)
        .u16(u16_len(entry.name.as_bytes()))
        .u16(u16_len(&extra))
        .u16(0) // no comment
        .u16(0) // disk number
        .u16(0) // internal attributes
        .u32(EXTERNAL_ATTRS)
        .u32(u32_or_marker(entry.offset, entry.wide_offset))
        .bytes(entry.name.as_bytes())
        .bytes(&extra);
    r.0
}

/// The ZIP64 end record and locator when a count or offset needs them, then the classic
/// end record (its too-small fields set to the ZIP64 marker).
fn end_records(count: usize, central_offset: u64, central_len: u64, limits: Limits) -> Vec<u8> {
    let count = u64::try_from(count).unwrap_or(u64::MAX);
    let wide_count = count >= limits.count;
    let wide_offset = central_offset >= limits.wide;
    let wide_len = central_len >= limits.wide;
    let mut out = Vec::new();
    if wide_count || wide_offset || wide_len {
        let mut r = Record::new(ZIP64_END_SIG);
        r.u64(44) // the record's length after this field
            .u16(VERSION_MADE_BY)
            .u16(VERSION_ZIP64)
            .u32(0) // this disk
            .u32(0) // the disk where the central directory starts
            .u64(count)
            .u64(count)
            .u64(central_len)
            .u64(central_offset);
        out.extend(r.0);
        let mut r = Record::new(ZIP64_LOCATOR_SIG);
        // The ZIP64 end record starts where the central directory ends; one disk in all.
        r.u32(0)
            .u64(central_offset.saturating_add(central_len))
            .u32(1);
        out.extend(r.0);
    }
    let count16 = if wide_count {
        u16::MAX
    } else {
        u16::try_from(count).unwrap_or(u16::MAX)
    };
    let mut r = Record::new(END_SIG);
    r.u16(0)
        .u16(0)
        .u16(count16)
        .u16(count16)
        .u32(u32_or_marker(central_len, wide_len))
        .u32(u32_or_marker(central_offset, wide_offset))
        .u16(0); // no comment
    out.extend(r.0);
    out
}

/// MS-DOS time and date of a UTC instant. DOS time has no zone, so this is UTC; readers
/// that know the extended-timestamp field get the exact instant from it. Clamped to the
/// format's 1980–2107 range, in 2-second steps.
fn dos_date_time(ms: i64) -> (u16, u16) {
    const FIRST: (u16, u16) = (0, 1 << 5 | 1);
    const LAST: (u16, u16) = (23 << 11 | 59 << 5 | 29, 127 << 9 | 12 << 5 | 31);
    let Some(t) = DateTime::from_timestamp_millis(ms) else {
        return if ms < 0 { FIRST } else { LAST };
    };
    let Some(year) = t
        .year()
        .checked_sub(1980)
        .and_then(|y| u16::try_from(y).ok())
    else {
        return FIRST;
    };
    if year > 127 {
        return LAST;
    }
    let field = |v: u32| u16::try_from(v).unwrap_or(0);
    let time = field(t.hour()) << 11 | field(t.minute()) << 5 | field(t.second() / 2);
    let date = year << 9 | field(t.month()) << 5 | field(t.day());
    (time, date)
}

fn unix_seconds(ms: i64) -> Option<u32> {
    let secs = ms.div_euclid(1000);
    i32::try_from(secs).ok().and_then(|s| u32::try_from(s).ok())
}

/// How long a name's stem may be, in bytes: far below the 255 that file systems allow,
/// with room for " (12345)" and the extension.
const STEM_MAX_BYTES: usize = 100;

/// Names for the files of an album download, from each photo's (title, content type).
///
/// Titles are user text: path separators and characters Windows forbids become `_`,
/// controls, bidi controls and other invisible characters are dropped (so two names never
/// look alike yet differ), whitespace runs become one space, dots never lead, trail or
/// repeat (no hidden files, no `..`), reserved device names get a `_` prefix, and the
/// stem is capped. An empty stem becomes `photo`. The extension comes from the content
/// type, never from the title. Names that match case-insensitively (as they would on
/// macOS and Windows) get ` (2)`, ` (3)`… in order.
pub fn archive_names(photos: &[(&str, &str)]) -> Vec<String> {
    let mut taken = HashSet::with_capacity(photos.len());
    let mut next_suffix: HashMap<String, u32> = HashMap::new();
    let mut names = Vec::with_capacity(photos.len());
    for &(title, content_type) in photos {
        let ext = extension(content_type);
        let stem = safe_stem(title, ext);
        let plain = format!("{stem}.{ext}");
        let key = plain.to_lowercase();
        if taken.insert(key.clone()) {
            names.push(plain);
            continue;
        }
        let n = next_suffix.entry(key).or_insert(2);
        loop {
            let candidate = format!("{stem} ({n}).{ext}");
            *n = n.saturating_add(1);
            if taken.insert(candidate.to_lowercase()) {
                names.push(candidate);
                break;
            }
        }
    }
    names
}

/// The uploads Lumen accepts are these four; anything else is named for what it is not known to be.
fn extension(content_type: &str) -> &'static str {
    match content_type.trim().to_ascii_lowercase().as_str() {
        "image/jpeg" | "image/jpg" | "image/pjpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "image/gif" => "gif",
        _ => "bin",
    }
}

fn safe_stem(title: &str, ext: &str) -> String {
    let mut stem = String::with_capacity(title.len().min(STEM_MAX_BYTES * 2));
    for c in title.chars() {
        let c = match c {
            c if c.is_whitespace() => ' ',
            c if is_invisible(c) => continue,
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c => c,
        };
        let repeat = matches!(
            (stem.chars().last(), c),
            (Some(' '), ' ') | (Some('.'), '.')
        );
        if !repeat {
            stem.push(c);
        }
    }
    let trim = |s: &str| s.trim_matches(|c| c == ' ' || c == '.').to_string();
    let mut stem = trim(&stem);
    // "IMG_1.jpg" keeps its name rather than becoming "IMG_1.jpg.jpg".
    let dot_ext = format!(".{ext}");
    let known: &[&str] = if ext == "jpg" {
        &[".jpg", ".jpeg"]
    } else {
        &[dot_ext.as_str()]
    };
    let ends_with = |suffix: &str| {
        let cut = stem.len().saturating_sub(suffix.len());
        stem.get(cut..)
            .is_some_and(|end| end.eq_ignore_ascii_case(suffix))
    };
    if let Some(suffix) = known.iter().find(|s| ends_with(s)) {
        stem.truncate(stem.len() - suffix.len());
        stem = trim(&stem);
    }
    if stem.len() > STEM_MAX_BYTES {
        let mut cut = STEM_MAX_BYTES;
        while !stem.is_char_boundary(cut) {
            cut -= 1;
        }
        stem.truncate(cut);
        stem = trim(&stem);
    }
    if stem.is_empty() {
        return "photo".to_string();
    }
    if is_reserved_on_windows(&stem) {
        stem.insert(0, '_');
    }
    stem
}

/// Windows will not create `CON`, `nul.txt` or `COM1.tar.gz`: the part before the first dot counts.
fn is_reserved_on_windows(stem: &str) -> bool {
    let base = stem
        .split('.')
        .next()
        .unwrap_or_default()
        .trim_end()
        .to_ascii_uppercase();
    let numbered = |prefix: &str| {
        base.strip_prefix(prefix)
            .is_some_and(|n| n.len() == 1 && n.bytes().all(|b| b.is_ascii_digit()))
    };
    matches!(base.as_str(), "CON" | "PRN" | "AUX" | "NUL") || numbered("COM") || numbered("LPT")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error;
    use std::io::{Cursor, Read};
    use std::process::Command;

    type TestResult<T = ()> = Result<T, Box<dyn Error>>;

    /// 2024-06-01 12:06:05.250 UTC.
    const CREATED_MS: i64 = 1_717_243_565_250;

    struct File {
        name: String,
        bytes: Vec<u8>,
    }

    fn file(name: &str, len: usize, seed: u32) -> File {
        // xorshift: contents that differ per file and per byte, so a misplaced chunk shows.
        let mut x = seed.wrapping_mul(2_654_435_761) | 1;
        let bytes = (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x.to_le_bytes()[0]
            })
            .collect();
        File {
            name: name.to_string(),
            bytes,
        }
    }

    fn plan(files: &[File], limits: Limits) -> Result<ZipPlan, ZipError> {
        let entries = files
            .iter()
            .map(|f| ZipEntry {
                name: f.name.clone(),
                size: len(&f.bytes),
                modified_ms: CREATED_MS,
            })
            .collect();
        ZipPlan::with_limits(entries, limits)
    }

    /// Drives the writer as the Worker route will: header, chunks as they come, descriptor.
    fn write(plan: ZipPlan, files: &[File], chunk: usize) -> Result<Vec<u8>, ZipError> {
        let mut out = Vec::new();
        let mut writer = ZipWriter::new(plan);
        for (i, f) in files.iter().enumerate() {
            out.extend(writer.start_entry(i)?);
            for part in f.bytes.chunks(chunk) {
                writer.data(part)?;
                out.extend_from_slice(part);
            }
            out.extend(writer.finish_entry()?);
        }
        out.extend(writer.finish()?);
        Ok(out)
    }

    /// Writes with two chunkings (same bytes either way), checks the length against the
    /// plan, and reads the archive back with the `zip` crate, Python and a local-header walk.
    fn round_trip(files: &[File], limits: Limits, label: &str) -> TestResult<Vec<u8>> {
        let total = plan(files, limits)?.total_len();
        let archive = write(plan(files, limits)?, files, 7)?;
        assert_eq!(len(&archive), total, "{label}: planned length");
        assert!(
            archive == write(plan(files, limits)?, files, 64 * 1024)?,
            "{label}: chunking changed the bytes"
        );
        read_with_zip_crate(&archive, files)?;
        read_with_python(&archive, files, label)?;
        walk_local_entries(&archive, files)?;
        Ok(archive)
    }

    fn read_with_zip_crate(archive: &[u8], files: &[File]) -> TestResult {
        let mut zip = ::zip::ZipArchive::new(Cursor::new(archive))?;
        assert_eq!(zip.len(), files.len());
        for (i, f) in files.iter().enumerate() {
            let mut entry = zip.by_index(i)?;
            assert_eq!(entry.name()?, f.name);
            assert_eq!(entry.enclosed_name().as_deref(), Some(f.name.as_ref()));
            assert_eq!(entry.size(), len(&f.bytes));
            assert_eq!(entry.crc32(), crc32fast::hash(&f.bytes));
            let mut bytes = Vec::new();
            // The reader checks the CRC when it reaches the end.
            entry.read_to_end(&mut bytes)?;
            assert!(bytes == f.bytes, "contents of {}", f.name);
        }
        Ok(())
    }

    /// A second independent reader. testzip() reads every entry and checks its CRC.
    fn read_with_python(archive: &[u8], files: &[File], label: &str) -> TestResult {
        if Command::new("python3").arg("--version").output().is_err() {
            println!("note: python3 not found, {label} not checked with zipfile");
            return Ok(());
        }
        let path =
            std::env::temp_dir().join(format!("lumen-zip-{}-{label}.zip", std::process::id()));
        std::fs::write(&path, archive)?;
        let script = "import json, sys, zipfile\n\
            with zipfile.ZipFile(sys.argv[1]) as z:\n    \
                print(json.dumps([z.testzip(), [[i.filename, i.file_size, i.CRC] for i in z.infolist()]]))";
        let out = Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(&path)
            .output();
        std::fs::remove_file(&path)?;
        let out = out?;
        assert!(
            out.status.success(),
            "{label}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (bad, listed): (Option<String>, Vec<(String, u64, u32)>) =
            serde_json::from_slice(&out.stdout)?;
        assert_eq!(bad, None, "{label}: bad CRC");
        let expected: Vec<_> = files
            .iter()
            .map(|f| (f.name.clone(), len(&f.bytes), crc32fast::hash(&f.bytes)))
            .collect();
        assert!(listed == expected, "{label}: python lists other entries");
        Ok(())
    }

    fn u16_at(b: &[u8], at: usize) -> TestResult<u16> {
        let bytes = b.get(at..at + 2).ok_or("short archive")?;
        Ok(u16::from_le_bytes(bytes.try_into()?))
    }

    fn u32_at(b: &[u8], at: usize) -> TestResult<u32> {
        let bytes = b.get(at..at + 4).ok_or("short archive")?;
        Ok(u32::from_le_bytes(bytes.try_into()?))
    }

    fn u64_at(b: &[u8], at: usize) -> TestResult<u64> {
        let bytes = b.get(at..at + 8).ok_or("short archive")?;
        Ok(u64::from_le_bytes(bytes.try_into()?))
    }

    /// What a streaming reader sees (neither reader above looks at data descriptors): each
    /// local header, the data, then a descriptor whose sizes are 8 bytes when the local
    /// header has a ZIP64 field; then the central directory.
    fn walk_local_entries(archive: &[u8], files: &[File]) -> TestResult {
        let mut at = 0;
        for f in files {
            assert_eq!(u32_at(archive, at)?, LOCAL_HEADER_SIG);
            assert_eq!(u16_at(archive, at + 6)?, FLAGS);
            let name_len = usize::from(u16_at(archive, at + 26)?);
            let extra_len = usize::from(u16_at(archive, at + 28)?);
            let name = archive.get(at + 30..at + 30 + name_len).ok_or("short")?;
            assert_eq!(name, f.name.as_bytes());
            let extra = archive
                .get(at + 30 + name_len..at + 30 + name_len + extra_len)
                .ok_or("short")?;
            let zip64 = extra.starts_with(&ZIP64_EXTRA.to_le_bytes());
            at += 30 + name_len + extra_len + f.bytes.len();
            assert_eq!(u32_at(archive, at)?, DESCRIPTOR_SIG);
            assert_eq!(u32_at(archive, at + 4)?, crc32fast::hash(&f.bytes));
            let sizes = if zip64 {
                [u64_at(archive, at + 8)?, u64_at(archive, at + 16)?]
            } else {
                [
                    u32_at(archive, at + 8)?.into(),
                    u32_at(archive, at + 12)?.into(),
                ]
            };
            assert_eq!(sizes, [len(&f.bytes); 2]);
            at += if zip64 { 24 } else { 16 };
        }
        let next = u32_at(archive, at)?;
        assert!(next == CENTRAL_HEADER_SIG || next == END_SIG);
        Ok(())
    }

    fn contains(haystack: &[u8], needle: u32) -> bool {
        haystack.windows(4).any(|w| w == needle.to_le_bytes())
    }

    #[test]
    fn empty_album_is_a_valid_empty_zip() -> TestResult {
        let archive = round_trip(&[], FORMAT_LIMITS, "empty")?;
        assert_eq!(archive.len(), 22);
        assert_eq!(u32_at(&archive, 0)?, END_SIG);
        Ok(())
    }

    #[test]
    fn one_file() -> TestResult {
        let archive = round_trip(&[file("sunset.jpg", 5_000, 1)], FORMAT_LIMITS, "one")?;
        assert!(
            !contains(&archive, ZIP64_END_SIG),
            "a small archive is plain ZIP"
        );
        Ok(())
    }

    #[test]
    fn many_files_of_many_sizes() -> TestResult {
        let sizes = [0, 1, 2, 7, 8, 1_000, 65_535, 65_536, 65_537, 300_000];
        let files: Vec<_> = (0u32..)
            .zip(sizes)
            .map(|(i, size)| file(&format!("p{i}.jpg"), size, i))
            .collect();
        let archive = round_trip(&files, FORMAT_LIMITS, "many")?;
        assert!(!contains(&archive, ZIP64_END_SIG));
        Ok(())
    }

    #[test]
    fn hostile_names_survive_both_readers() -> TestResult {
        let long = "🦀".repeat(200);
        let mut photos = HOSTILE.to_vec();
        photos.extend([
            (long.as_str(), "image/webp"),
            ("Été", "image/gif"),
            ("été", "image/gif"),
        ]);
        let files: Vec<_> = (0u32..)
            .zip(archive_names(&photos))
            .map(|(i, name)| file(&name, 100, i))
            .collect();
        round_trip(&files, FORMAT_LIMITS, "hostile")?;
        Ok(())
    }

    /// Low limits send every ZIP64 path (sizes, offsets, count, end records) through real
    /// readers with a few kilobytes.
    #[test]
    fn zip64_forced_by_low_limits_reads_back() -> TestResult {
        let files: Vec<_> = (0u32..)
            .zip([0, 50, 150, 99, 100, 3_000, 1])
            .map(|(i, size)| file(&format!("f{i}.jpg"), size, i))
            .collect();
        let shapes = [
            (
                "all",
                Limits {
                    wide: 100,
                    count: 3,
                },
            ),
            (
                "offsets",
                Limits {
                    wide: 1_000,
                    count: FORMAT_LIMITS.count,
                },
            ),
            (
                "sizes",
                Limits {
                    wide: 100,
                    count: FORMAT_LIMITS.count,
                },
            ),
            (
                "count",
                Limits {
                    wide: FORMAT_LIMITS.wide,
                    count: 7,
                },
            ),
            (
                "central",
                Limits {
                    wide: 3_700,
                    count: FORMAT_LIMITS.count,
                },
            ),
            (
                "none",
                Limits {
                    wide: FORMAT_LIMITS.wide,
                    count: 8,
                },
            ),
        ];
        for (label, limits) in shapes {
            let p = plan(&files, limits)?;
            let zip64_end = p.entries.len() as u64 >= limits.count
                || p.central_offset >= limits.wide
                || p.central_len >= limits.wide;
            let archive = round_trip(&files, limits, label)?;
            assert_eq!(contains(&archive, ZIP64_END_SIG), zip64_end, "{label}");
        }
        let p = plan(
            &files,
            Limits {
                wide: 100,
                count: 3,
            },
        )?;
        let wide: Vec<_> = p
            .entries
            .iter()
            .map(|e| (e.wide_size, e.wide_offset))
            .collect();
        assert_eq!(
            wide,
            [
                (false, false),
                (false, false),
                (true, true),
                (false, true),
                (true, true),
                (true, true),
                (false, true)
            ]
        );
        Ok(())
    }

    /// 65 534 entries fit the classic count field; one more needs the ZIP64 end records.
    #[test]
    fn zip64_by_entry_count_at_the_real_limit() -> TestResult {
        for (count, zip64) in [(65_534u32, false), (65_535, true)] {
            let files: Vec<_> = (0..count)
                .map(|i| file(&format!("{i}.jpg"), 1, i))
                .collect();
            let archive = round_trip(&files, FORMAT_LIMITS, &format!("count{count}"))?;
            let tail = archive.get(archive.len() - 120..).ok_or("short")?;
            assert_eq!(contains(tail, ZIP64_END_SIG), zip64, "{count} entries");
        }
        Ok(())
    }

    /// The layout at the 4 GiB boundaries, by arithmetic: the plan (whose lengths come from
    /// the encoders the writer uses) against the format's record sizes counted by hand.
    #[test]
    fn layout_at_the_4_gib_boundaries() -> TestResult {
        const MAX: u64 = 0xFFFF_FFFF;
        // A 5-byte name with the timestamp field: local header 44, descriptor 16 (24 wide).
        const LOCAL: u64 = 30 + 5 + 9;
        let cases: [(&str, Vec<u64>); 7] = [
            ("size just fits", vec![MAX - 1]),
            ("size needs zip64", vec![MAX]),
            ("5 GiB", vec![5 << 30]),
            ("second offset just fits", vec![MAX - 1 - LOCAL - 16, 0]),
            ("second offset needs zip64", vec![MAX - LOCAL - 16, 0]),
            (
                "central offset needs zip64",
                vec![MAX - LOCAL - 16 - LOCAL - 16, 0],
            ),
            ("three large", vec![3 << 30, 3 << 30, 3 << 30]),
        ];
        for (label, sizes) in cases {
            let entries = sizes
                .iter()
                .map(|&size| ZipEntry {
                    name: "a.jpg".into(),
                    size,
                    modified_ms: CREATED_MS,
                })
                .collect();
            let p = ZipPlan::new(entries)?;
            // Counted from the format's record sizes, independently of the encoders.
            let (mut offset, mut central, mut flags) = (0u64, 0u64, Vec::new());
            for &size in &sizes {
                let (wide_size, wide_offset) = (size >= MAX, offset >= MAX);
                let fields = 2 * u64::from(wide_size) + u64::from(wide_offset);
                let zip64_extra = if fields > 0 { 4 + 8 * fields } else { 0 };
                central += 46 + 5 + 9 + zip64_extra;
                offset += LOCAL + if wide_size { 20 + size + 24 } else { size + 16 };
                flags.push((wide_size, wide_offset));
            }
            let zip64_end = offset >= MAX || central >= MAX;
            let end = 22 + if zip64_end { 56 + 20 } else { 0 };
            let planned: Vec<_> = p
                .entries
                .iter()
                .map(|e| (e.wide_size, e.wide_offset))
                .collect();
            assert_eq!(planned, flags, "{label}");
            assert_eq!(p.central_offset, offset, "{label}");
            assert_eq!(p.total_len(), offset + central + end, "{label}");
        }
        Ok(())
    }

    /// A real archive past 4 GiB: a 4 GiB + 1 entry (ZIP64 sizes), a small one after it
    /// (ZIP64 offset), and the central directory past 4 GiB (ZIP64 end records). The data
    /// is zeros left as holes in a sparse file, so the disk barely fills; hashing the 4 GiB
    /// twice (here and in Python) takes about ten seconds.
    #[test]
    fn zip64_past_4_gib_on_disk() -> TestResult {
        use std::io::{Seek, SeekFrom, Write};
        let big = (4 << 30) + 1;
        let small = file("small.jpg", 10, 1);
        let entries = vec![
            ZipEntry {
                name: "big.jpg".into(),
                size: big,
                modified_ms: CREATED_MS,
            },
            ZipEntry {
                name: small.name.clone(),
                size: len(&small.bytes),
                modified_ms: CREATED_MS,
            },
        ];
        let plan = ZipPlan::new(entries)?;
        let total = plan.total_len();
        let path = std::env::temp_dir().join(format!("lumen-zip-{}-4gib.zip", std::process::id()));
        let mut out = std::fs::File::create(&path)?;
        let mut w = ZipWriter::new(plan);
        out.write_all(&w.start_entry(0)?)?;
        let zeros = vec![0u8; 1 << 24];
        let mut left = big;
        while left > 0 {
            let n = left.min(len(&zeros));
            w.data(zeros.get(..usize::try_from(n)?).ok_or("chunk")?)?;
            out.seek(SeekFrom::Current(i64::try_from(n)?))?;
            left -= n;
        }
        out.write_all(&w.finish_entry()?)?;
        out.write_all(&w.start_entry(1)?)?;
        w.data(&small.bytes)?;
        out.write_all(&small.bytes)?;
        out.write_all(&w.finish_entry()?)?;
        out.write_all(&w.finish()?)?;
        drop(out);
        let result = (|| -> TestResult {
            assert_eq!(std::fs::metadata(&path)?.len(), total);
            let mut zip = ::zip::ZipArchive::new(std::fs::File::open(&path)?)?;
            assert_eq!(zip.by_index(0)?.size(), big);
            let mut entry = zip.by_index(1)?;
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes)?;
            assert!(bytes == small.bytes);
            let script = "import sys, zipfile\n\
                z = zipfile.ZipFile(sys.argv[1])\n\
                assert z.testzip() is None\n\
                print([(i.filename, i.file_size) for i in z.infolist()])";
            match Command::new("python3")
                .arg("-c")
                .arg(script)
                .arg(&path)
                .output()
            {
                Ok(out) => assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                ),
                Err(_) => {
                    println!("note: python3 not found, 4 GiB archive not checked with zipfile")
                }
            }
            Ok(())
        })();
        std::fs::remove_file(&path)?;
        result
    }

    #[test]
    fn a_file_longer_or_shorter_than_planned_is_an_error() -> TestResult {
        let files = [file("a.jpg", 3, 1), file("b.jpg", 3, 2)];
        let mut w = ZipWriter::new(plan(&files, FORMAT_LIMITS)?);
        assert_eq!(w.data(b"x"), Err(ZipError::NoOpenEntry));
        assert_eq!(
            w.start_entry(1),
            Err(ZipError::OutOfOrder {
                expected: 0,
                got: 1
            })
        );
        assert_eq!(
            w.finish(),
            Err(ZipError::Unfinished {
                written: 0,
                planned: 2
            })
        );
        w.start_entry(0)?;
        assert_eq!(w.start_entry(1), Err(ZipError::EntryOpen { index: 0 }));
        assert_eq!(
            w.data(b"abcd"),
            Err(ZipError::TooLong {
                index: 0,
                planned: 3
            })
        );
        w.data(b"ab")?;
        assert_eq!(
            w.finish_entry(),
            Err(ZipError::TooShort {
                index: 0,
                planned: 3,
                got: 2
            })
        );
        assert_eq!(w.finish(), Err(ZipError::EntryOpen { index: 0 }));
        w.data(b"c")?;
        assert_eq!(
            w.data(b"d"),
            Err(ZipError::TooLong {
                index: 0,
                planned: 3
            })
        );
        w.finish_entry()?;
        assert_eq!(w.finish_entry(), Err(ZipError::NoOpenEntry));
        assert_eq!(
            w.start_entry(7),
            Err(ZipError::OutOfOrder {
                expected: 1,
                got: 7
            })
        );
        w.start_entry(1)?;
        w.data(b"def")?;
        w.finish_entry()?;
        w.finish()?;
        assert_eq!(w.finish(), Err(ZipError::Finished));
        assert_eq!(w.start_entry(2), Err(ZipError::Finished));
        Ok(())
    }

    #[test]
    fn names_the_format_cannot_hold_are_refused() {
        for (index, name) in [(0, String::new()), (0, "a".repeat(70_000))] {
            let entry = ZipEntry {
                name,
                size: 1,
                modified_ms: 0,
            };
            assert_eq!(
                ZipPlan::new(vec![entry]).map(|p| p.len()),
                Err(ZipError::BadName { index })
            );
        }
    }

    #[test]
    fn output_is_deterministic_and_dated() -> TestResult {
        let files = [file("a.jpg", 10, 1)];
        let archive = round_trip(&files, FORMAT_LIMITS, "dated")?;
        assert!(archive == write(plan(&files, FORMAT_LIMITS)?, &files, 3)?);
        let mut zip = ::zip::ZipArchive::new(Cursor::new(&archive))?;
        let entry = zip.by_index(0)?;
        let t = entry.last_modified().ok_or("no DOS time")?;
        // DOS time counts in 2-second steps: 12:06:05 is stored as 12:06:04.
        assert_eq!(
            (
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
            (2024, 6, 1, 12, 6, 4)
        );
        let unix = entry.extra_data_fields().find_map(|f| match f {
            ::zip::ExtraField::ExtendedTimestamp(t) => t.mod_time(),
            _ => None,
        });
        assert_eq!(unix, Some(1_717_243_565));
        Ok(())
    }

    #[test]
    fn dos_time_is_clamped_to_its_range() {
        assert_eq!(dos_date_time(0), (0, 1 << 5 | 1));
        assert_eq!(dos_date_time(i64::MIN), (0, 1 << 5 | 1));
        assert_eq!(dos_date_time(i64::MAX).1 >> 9, 127);
        // 2107-12-31 is the last day; 2108 clamps to it.
        assert_eq!(dos_date_time(4_354_819_200_000), dos_date_time(i64::MAX));
        assert_eq!(unix_seconds(-1), None);
        assert_eq!(unix_seconds(CREATED_MS), Some(1_717_243_565));
        assert_eq!(unix_seconds(1 << 42), None);
    }

    /// Titles as people (and attackers) type them, for the name tests and the round trip.
    const HOSTILE: [(&str, &str); 20] = [
        ("../../etc/passwd", "image/jpeg"),
        ("a/b", "image/jpeg"),
        ("a\\b", "image/jpeg"),
        ("\u{202E}gpj.exe", "image/jpeg"),
        ("<script>alert(1)</script>", "image/png"),
        ("", "image/jpeg"),
        ("Sunset", "image/jpeg"),
        ("sunset", "image/jpeg"),
        ("SUNSET.JPEG", "image/jpeg"),
        ("   ", "image/gif"),
        ("...", "image/jpeg"),
        ("CON", "image/jpeg"),
        ("lpt1.x", "image/jpeg"),
        ("tab\tnew\nline  end", "image/jpeg"),
        (".hidden", "image/jpeg"),
        ("pho\u{200B}to", "image/jpeg"),
        ("photo (4)", "image/jpeg"),
        ("", "image/jpeg"),
        ("x", "application/x-msdownload"),
        ("shot.png", "image/jpeg"),
    ];

    #[test]
    fn hostile_titles_become_safe_unique_names() {
        let long = "é".repeat(300);
        let mut photos = HOSTILE.to_vec();
        photos.push((long.as_str(), "image/webp"));
        let names = archive_names(&photos);
        let expected = [
            "_._etc_passwd.jpg".to_string(),
            "a_b.jpg".into(),
            "a_b (2).jpg".into(),
            "gpj.exe.jpg".into(),
            "_script_alert(1)__script_.png".into(),
            "photo.jpg".into(),
            "Sunset.jpg".into(),
            "sunset (2).jpg".into(),
            "SUNSET (3).jpg".into(),
            "photo.gif".into(),
            "photo (2).jpg".into(),
            "_CON.jpg".into(),
            "_lpt1.x.jpg".into(),
            "tab new line end.jpg".into(),
            "hidden.jpg".into(),
            "photo (3).jpg".into(),
            "photo (4).jpg".into(),
            "photo (5).jpg".into(),
            "x.bin".into(),
            "shot.png.jpg".into(),
            format!("{}.webp", "é".repeat(50)),
        ];
        assert_eq!(names, expected);
        let mut seen = HashSet::new();
        for name in &names {
            assert!(seen.insert(name.to_lowercase()), "{name} twice");
            assert!(!name.starts_with('.') && !name.contains(".."), "{name}");
            assert!(!name.contains(['/', '\\']), "{name}");
            assert!(!name
                .chars()
                .any(|c| c.is_control() || is_invisible(c) && c != ' '));
            assert!(name.len() <= STEM_MAX_BYTES + ".webp".len(), "{name}");
        }
    }

    #[test]
    fn many_duplicates_stay_linear_and_unique() {
        let photos = vec![("IMG", "image/jpeg"); 70_000];
        let names = archive_names(&photos);
        assert_eq!(names.first().map(String::as_str), Some("IMG.jpg"));
        assert_eq!(names.last().map(String::as_str), Some("IMG (70000).jpg"));
        let unique: HashSet<_> = names.iter().map(|n| n.to_lowercase()).collect();
        assert_eq!(unique.len(), names.len());
    }
}
