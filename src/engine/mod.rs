//! What every API family shares.

pub mod config;
pub mod cron;
pub mod envsubst;
pub mod ownership;
