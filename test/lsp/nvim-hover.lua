-- Driven by test/unit/nvim.test.ts after src/server/clients/nvim.lua: opens SHAPE_LENS_FILE, waits
-- for the server, asks for the hover at SHAPE_LENS_LINE:SHAPE_LENS_COL (0-based) and writes its
-- Markdown (or an ERROR line) to SHAPE_LENS_OUT, then quits.
local file = os.getenv('SHAPE_LENS_FILE')
local out = os.getenv('SHAPE_LENS_OUT')
local line = tonumber(os.getenv('SHAPE_LENS_LINE'))
local col = tonumber(os.getenv('SHAPE_LENS_COL'))
local function write(text)
  local f = io.open(out, 'w')
  f:write(text)
  f:close()
end
vim.cmd('edit ' .. vim.fn.fnameescape(file))
local ok = vim.wait(20000, function()
  local clients = vim.lsp.buf_get_clients(0)
  for _, c in pairs(clients) do
    if c.initialized then return true end
  end
  return false
end, 50)
if not ok then
  write('ERROR: no initialized shape-lens client')
  vim.cmd('qall!')
end
local params = { textDocument = { uri = vim.uri_from_fname(file) }, position = { line = line, character = col } }
local results = vim.lsp.buf_request_sync(0, 'textDocument/hover', params, 20000)
local text = 'ERROR: no hover'
for _, r in pairs(results or {}) do
  if r.result and r.result.contents then text = r.result.contents.value end
end
write(text)
vim.cmd('qall!')
