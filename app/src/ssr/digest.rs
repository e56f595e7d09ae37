//! A running SHA-256 over an original as it streams in, so duplicates are known at upload
//! time. The Worker hashes in the runtime (`crypto.DigestStream`, native code); this
//! software one serves native tests and any runtime without it.

use async_trait::async_trait;
use sha2::{Digest, Sha256};

use crate::ssr::ports::PortResult;

#[async_trait]
pub trait Sha256Stream: Send {
    async fn update(&mut self, bytes: &[u8]) -> PortResult<()>;
    /// Lowercase hex, as `media::Output::sha256` writes it.
    async fn finish(self: Box<Self>) -> PortResult<String>;
}

#[derive(Default)]
pub struct SoftSha256(Sha256);

#[async_trait]
impl Sha256Stream for SoftSha256 {
    async fn update(&mut self, bytes: &[u8]) -> PortResult<()> {
        self.0.update(bytes);
        Ok(())
    }

    async fn finish(self: Box<Self>) -> PortResult<String> {
        Ok(hex(&self.0.finalize()))
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::fakes::block_on;

    #[test]
    fn chunked_equals_whole() {
        let mut s: Box<dyn Sha256Stream> = Box::new(SoftSha256::default());
        block_on(s.update(b"ab")).unwrap();
        block_on(s.update(b"c")).unwrap();
        assert_eq!(
            block_on(s.finish()).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
