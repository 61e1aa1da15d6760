//! The user journeys: sending (staged confirmations and warnings), claiming, recalling.

pub mod claim;
pub mod recall;
pub mod send;
