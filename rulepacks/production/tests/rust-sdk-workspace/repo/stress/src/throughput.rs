fn main() {
    let spans = (0..1_000_000).count();
    println!("{spans} spans");
}
