package sandbox

import (
	"strings"
)

// isOIDCScope reports the OpenID Connect scopes, which name no resource.
func isOIDCScope(s string) bool {
	switch strings.ToLower(s) {
	case "openid", "profile", "offline_access", "email":
		return true
	}
	return false
}

// scopeRequest is a requested scope string resolved against the directory.
type scopeRequest struct {
	resource  *App
	values    []string // exposed scope values asked for (empty with .default)
	isDefault bool     // <resource>/.default
	requested []string // the resource scopes exactly as requested (echoed in the response)
	oidc      []string // openid, profile, offline_access, email as requested
	// written is the resource part of the scopes as the client wrote it (case included): a v1
	// token's aud carries the App ID URI so.
	written string
}

// has reports whether an OIDC scope was requested.
func (q *scopeRequest) has(oidc string) bool { return containsFold(q.oidc, oidc) }

// scopeFlow selects the error Entra gives for a scope the resource does not expose.
type scopeFlow int

const (
	flowSignin scopeFlow = iota // AADSTS650053 (invalid_client), as at /authorize and /devicecode
	flowOBO                     // AADSTS70011 (invalid_scope), as at /token
	flowApp                     // client credentials: only <resource>/.default
)

// resolveScopes maps a space-separated scope parameter to one resource and its scopes, as Entra's
// v2 endpoint does: an unqualified scope belongs to Microsoft Graph, one request names one
// resource, only OIDC scopes mean Graph's User.Read.
func (s *Sandbox) resolveScopes(client *App, raw string, flow scopeFlow) (*scopeRequest, *entraError) {
	fields := strings.Fields(raw)
	if len(fields) == 0 {
		return nil, errMissingParam("scope")
	}
	q := &scopeRequest{}
	var resourceID string
	for _, f := range fields {
		if isOIDCScope(f) {
			q.oidc = append(q.oidc, f)
			continue
		}
		res, val := GraphAppID, f
		if i := strings.LastIndex(f, "/"); i > 0 {
			res, val = f[:i], f[i+1:]
		}
		r := s.dir.resource(res)
		if r == nil {
			return nil, errResourceNotFound(res)
		}
		if resourceID != "" && resourceID != r.AppID {
			return nil, newError("invalid_request", 28000,
				"Provided value for the input parameter scope is not valid because it contains more than one resource. Scope %s is not valid.", raw)
		}
		resourceID = r.AppID
		q.resource = r
		if q.written == "" {
			q.written = strings.TrimSuffix(res, "/")
		}
		q.requested = append(q.requested, f)
		if val == ".default" {
			q.isDefault = true
			continue
		}
		if flow == flowApp {
			return nil, newError("invalid_scope", 1002012,
				"The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", raw)
		}
		v, ok := r.hasScope(val)
		if !ok {
			if flow == flowOBO {
				return nil, newError("invalid_scope", 70011,
					"The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope %s is not valid.", raw)
			}
			return nil, newError("invalid_client", 650053,
				"The application '%s' asked for scope '%s' that doesn't exist on the resource '%s'. Contact the app vendor.",
				client.DisplayName, val, r.AppID)
		}
		q.values = append(q.values, v)
	}
	if q.resource == nil {
		if flow == flowApp {
			return nil, newError("invalid_scope", 1002012,
				"The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", raw)
		}
		q.resource = s.dir.app(GraphAppID)
		q.values = []string{"User.Read"}
	}
	if q.isDefault && len(q.values) > 0 {
		return nil, newError("invalid_scope", 70011,
			"The provided value for the input parameter 'scope' is not valid. The scope %s is not valid. static scope limit exceeded.", raw)
	}
	return q, nil
}

// responseScope is the scope string of a token response: the resource scopes as requested (so
// MSAL finds none declined) followed by the OIDC scopes requested.
func (q *scopeRequest) responseScope() string {
	out := append([]string{}, q.requested...)
	if len(out) == 0 && q.resource != nil && q.resource.AppID == GraphAppID {
		out = append(out, "User.Read")
	}
	return strings.Join(append(out, q.oidc...), " ")
}
