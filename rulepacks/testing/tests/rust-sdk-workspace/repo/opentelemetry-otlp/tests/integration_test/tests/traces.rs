#[tokio::test]
async fn traces_reach_the_collector() {
    assert_eq!(integration_test_runner::COLLECTOR_CONFIG, "./otel-collector-config.yaml");
}
