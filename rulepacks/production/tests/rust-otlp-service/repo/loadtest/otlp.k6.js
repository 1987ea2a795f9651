import grpc from "k6/net/grpc";
export const options = { vus: 50, duration: "5m" };
export default function () {
  const client = new grpc.Client();
  client.connect("otlp.example.invalid:4317", {});
}
