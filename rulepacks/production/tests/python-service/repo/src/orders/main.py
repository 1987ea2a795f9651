"""The orders API."""
from fastapi import FastAPI, Header

app = FastAPI()


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/orders")
def orders(tenant_id: str = Header(alias="X-Tenant-ID")) -> list[dict[str, str]]:
    return []
