//! The account model: what Kunci knows about an account besides its secret.

mod account;
mod existing;
pub mod groups;
mod list;

pub use account::{Account, AccountId, Extras};
pub use existing::Existing;
pub use list::{AccountList, QueryError};
