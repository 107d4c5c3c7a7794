package server

import "net/http"

// Handler answers health checks.
type Handler struct {
	name string
}

type Checker interface {
	Check() error
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusOK)
}

func NewHandler(name string) *Handler {
	return &Handler{name: name}
}
