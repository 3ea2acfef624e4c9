//! The account model: what Kunci knows about an account besides its secret.

mod account;
mod existing;
pub mod groups;
mod list;
mod title_match;

pub use account::{Account, AccountId, Extras};
pub use existing::Existing;
pub use list::{AccountList, QueryError};
pub use title_match::named_in_title;
