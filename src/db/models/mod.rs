//! Rows as diesel reads and writes them.
