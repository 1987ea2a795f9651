fn main() {
    println!("serving on [::1]:50051");
}
