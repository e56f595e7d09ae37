//! Reusable views; they never call server functions themselves.

pub mod drag_order;
pub mod error_box;
pub mod form;
pub mod key_nav;
pub mod leave;
pub mod listing;
pub mod nav;
pub mod paging;
pub mod photo_card;
pub mod photo_view;
pub mod pick;
pub mod resumable;
pub mod share;
pub mod social;
pub mod status;
pub mod upload_row;
pub mod uploader;
pub mod viewer;
