//! Test support shared by the mail tests.
pub mod smtp;
