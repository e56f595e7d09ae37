//! D1 adapters: the only place SQL text lives.

pub mod photos;

use app::ssr::ports::PortError;

pub(crate) fn unavailable(e: worker::Error) -> PortError {
    PortError::Unavailable(format!("d1: {e}"))
}
