package session

import (
	"context"
	"fmt"

	"github.com/retort-orm/retort"
)

// AnyQueryFunc runs a query of objects that a package builds and reads its
// own way (package inherit's queries of a class hierarchy), rather than
// through All: q describes the query to interceptors that know its methods,
// and the objects come back as any.
type AnyQueryFunc func(ctx context.Context, s *Session, q any, cfg QueryConfig) ([]any, error)

// AnyInterceptor runs such a query in place of next, as an [Interceptor]
// does for All: package rel installs one on every table that owns
// relationships, so that queries of package inherit apply the
// relationships' default strategies and join Joined paths into their
// statement.
type AnyInterceptor func(ctx context.Context, s *Session, q any, cfg QueryConfig, next AnyQueryFunc) ([]any, error)

type anyInterceptKey struct{}

type extensible interface {
	Extension(key any) (any, bool)
	SetExtension(key, v any)
}

// InterceptAny makes f run every query of t's objects that a package runs
// through [RunAny]. t must be a *retort.Table. Call it at declaration time;
// interceptors installed later wrap earlier ones.
func InterceptAny(t retort.Schema, f AnyInterceptor) {
	e, ok := t.(extensible)
	if !ok {
		panic(fmt.Sprintf("session: InterceptAny: %T is not a *retort.Table", t))
	}
	var fs []AnyInterceptor
	if v, ok := e.Extension(anyInterceptKey{}); ok {
		fs = v.([]AnyInterceptor)
	}
	e.SetExtension(anyInterceptKey{}, append(fs[:len(fs):len(fs)], f))
}

// RunAny runs the query q of t's objects: through t's interceptors
// ([InterceptAny]), the last installed first, and finally run.
func RunAny(ctx context.Context, s *Session, t retort.Schema, q any, cfg QueryConfig, run AnyQueryFunc) ([]any, error) {
	if e, ok := t.(extensible); ok {
		if v, ok := e.Extension(anyInterceptKey{}); ok {
			for _, f := range v.([]AnyInterceptor) {
				next, f := run, f
				run = func(ctx context.Context, s *Session, q any, cfg QueryConfig) ([]any, error) {
					return f(ctx, s, q, cfg, next)
				}
			}
		}
	}
	return run(ctx, s, q, cfg)
}
