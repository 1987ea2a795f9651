fn main() {
    print!("{}", controller::crd_yaml());
}
