// Embedded migrations are compiled into the binary; rebuild when their SQL changes.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
