//! Black-box tests through real HTTP, each on its own fresh database.

mod abuse;
mod accounts;
mod authorization_matrix;
mod authorizations;
mod browser;
mod cli;
mod concurrency;
mod crash;
mod documents;
mod duties;
mod errors;
mod health;
mod helpers;
mod hostile_clients;
mod migrations;
mod operations;
mod page_errors;
mod pages;
mod public;
mod register;
mod replicas;
mod signed_in_pages;
mod storage;
mod tokens;
mod uploads;
mod workflow;
