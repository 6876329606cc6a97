package sandbox

import (
	"bytes"
	"html/template"
	"net/http"
)

// pageData is what the sandbox's HTML pages show.
type pageData struct {
	Title, Lead, Error string
	Form               bool // the device login form
	Authorize          bool // the authorize user picker
	Success            bool
	AutoSubmit         bool // form_post: submit the hidden fields to Action at once
	Code               string
	Action             string
	Users              []pageUser
	Hidden             map[string]string
	Links              [][2]string
}

// pageUser is one user in a picker.
type pageUser struct {
	UPN, Name, Note string
	Default         bool
}

// pageTemplate is the one template of every sandbox page: clean, readable, no external assets.
var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}} · oboscope sandbox</title>
<style>
:root{color-scheme:light dark;--fg:#1b1b1b;--muted:#605e5c;--bg:#f3f2f1;--card:#fff;--accent:#0067b8;--err:#a4262c;--ok:#107c10;--line:#e1dfdd}
@media (prefers-color-scheme:dark){:root{--fg:#f3f2f1;--muted:#b3b0ad;--bg:#1b1a19;--card:#252423;--accent:#4ea4f5;--err:#f1707b;--ok:#6ccb5f;--line:#3b3a39}}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 "Segoe UI",system-ui,-apple-system,sans-serif;background:var(--bg);color:var(--fg);display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:var(--card);width:min(440px,92vw);padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
.brand{font-weight:600;color:var(--muted);font-size:13px;letter-spacing:.04em;text-transform:uppercase;margin-bottom:20px}
h1{font-size:24px;font-weight:600;margin:0 0 12px}p{margin:0 0 16px}.muted{color:var(--muted);font-size:13px}
input[type=text]{width:100%;font-size:18px;letter-spacing:.12em;padding:8px 2px;border:0;border-bottom:1px solid var(--muted);background:transparent;color:var(--fg);margin-bottom:18px;text-transform:uppercase}
input[type=text]:focus{outline:none;border-bottom:2px solid var(--accent)}
label.user{display:flex;gap:12px;align-items:flex-start;padding:10px;border:1px solid var(--line);margin-bottom:8px;cursor:pointer}
label.user:hover{border-color:var(--accent)}label.user small{display:block;color:var(--muted)}
button{background:var(--accent);color:#fff;border:0;padding:9px 28px;font-size:15px;cursor:pointer;margin-top:12px;float:right}
.err{color:var(--err);border-left:3px solid var(--err);padding:6px 10px;white-space:pre-wrap;font-size:13px;margin-bottom:16px;overflow-wrap:anywhere}
.ok{color:var(--ok);font-size:40px;line-height:1}
ul{padding-left:18px}a{color:var(--accent)}.check{display:block;margin:10px 0;font-size:14px}footer{clear:both;padding-top:20px}
</style></head>
<body{{if .AutoSubmit}} onload="document.forms[0].submit()"{{end}}><main>
<div class="brand">oboscope sandbox · Contoso</div>
<h1>{{.Title}}</h1>
{{if .Lead}}<p>{{.Lead}}</p>{{end}}
{{if .Error}}<div class="err" role="alert">{{.Error}}</div>{{end}}
{{if .Success}}<div class="ok">✓</div>{{end}}
{{if .AutoSubmit}}<form method="post" action="{{.Action}}">{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}<noscript><button type="submit">Continue</button></noscript></form>{{end}}
{{if .Form}}<form method="post" action="/devicelogin">
<input type="text" name="user_code" placeholder="Code" value="{{.Code}}" autocomplete="off" autofocus required aria-label="Code">
{{range .Users}}<label class="user"><input type="radio" name="username" value="{{.UPN}}"{{if .Default}} checked{{end}} required><span>{{.Name}}<small>{{.UPN}} · {{.Note}}</small></span></label>{{end}}
<label class="check"><input type="checkbox" name="mfa"> Complete multi-factor authentication</label>
<button type="submit">Next</button></form>{{end}}
{{if .Authorize}}<form method="post" action="{{.Action}}">{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
{{range .Users}}<label class="user"><input type="radio" name="sandbox_user" value="{{.UPN}}"{{if .Default}} checked{{end}} required><span>{{.Name}}<small>{{.UPN}} · {{.Note}}</small></span></label>{{end}}
<label class="check"><input type="checkbox" name="sandbox_mfa"> Complete multi-factor authentication</label>
<button type="submit">Sign in</button></form>{{end}}
{{if .Links}}<ul>{{range .Links}}<li><a href="{{index . 1}}">{{index . 0}}</a></li>{{end}}</ul>{{end}}
<footer class="muted">A local sandbox tenant: no real accounts, no network.</footer>
</main></body></html>`))

// renderPage writes a sandbox HTML page.
func renderPage(w http.ResponseWriter, status int, d pageData) {
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, d); err != nil {
		http.Error(w, "page rendering failed", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; form-action *")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
