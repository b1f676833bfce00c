//! Queries shared by the services.
