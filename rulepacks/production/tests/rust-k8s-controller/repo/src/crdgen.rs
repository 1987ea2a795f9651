fn main() {
    print!("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n");
}
