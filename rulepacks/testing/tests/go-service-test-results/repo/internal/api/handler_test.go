package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestIngestAcceptsASpan(t *testing.T) {
	rec := httptest.NewRecorder()
	Ingest(rec, httptest.NewRequest(http.MethodPost, "/v1/spans", strings.NewReader(`{"trace_id":"a","name":"b"}`)))
	if rec.Code != http.StatusAccepted {
		t.Errorf("status = %d, want 202", rec.Code)
	}
}

func TestRejectsMalformedJSON(t *testing.T) {
	rec := httptest.NewRecorder()
	Ingest(rec, httptest.NewRequest(http.MethodPost, "/v1/spans", strings.NewReader(`{"trace_id":`)))
	if rec.Code != http.StatusBadRequest {
		t.Errorf("status = %d, want 400", rec.Code)
	}
}
