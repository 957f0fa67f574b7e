/** Inline so the page loads nothing from anywhere else. */
export const PAGE_CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1f36;background:#f6f9fc}
main{max-width:34rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.5rem;margin:0 0 .25rem}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.badge{display:inline-block;background:#fff3cd;color:#5c4400;border-radius:4px;padding:0 .5rem;font-size:.875rem}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:.5rem 0;border-bottom:1px solid #e3e8ee;vertical-align:top}
td.amount,th.amount{text-align:right}
td img{width:48px;height:48px;object-fit:cover;border-radius:4px;margin-right:.5rem;float:left}
.muted{color:#4f566b;font-size:.875rem}
.total{display:flex;justify-content:space-between;font-size:1.2rem;font-weight:600;margin:1rem 0}
fieldset{border:1px solid #e3e8ee;border-radius:6px;margin:1rem 0;padding:.75rem 1rem}
legend{font-weight:600;padding:0 .25rem}
label{display:block;font-weight:500;margin:.5rem 0 .25rem}
.choice{display:flex;align-items:center;gap:.5rem;margin:.25rem 0}
.choice label{margin:0;font-weight:400}
input[type=text],input[type=email]{width:100%;padding:.6rem;border:1px solid #8792a2;border-radius:4px;font:inherit}
input[aria-invalid=true]{border-color:#b3093c}
.error{color:#b3093c;font-weight:500}
.alert{background:#fdecef;border:1px solid #b3093c;border-radius:4px;padding:.5rem .75rem}
button{width:100%;margin-top:1rem;padding:.75rem;border:0;border-radius:6px;background:#0a2540;color:#fff;font:inherit;font-weight:600;cursor:pointer}
a{color:#0a2540}
:focus-visible{outline:3px solid #1f6feb;outline-offset:2px}
form:has(#method-sepa_debit:checked) .method-card{display:none}
form:has(#method-card:checked) .method-sepa_debit{display:none}
`;
