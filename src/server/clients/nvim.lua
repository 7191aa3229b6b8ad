-- Shape Lens in Neovim 0.7+ (Debian's 0.7.2 included): `:luafile` this file or `dofile()` it from
-- init.lua. Set SHAPE_LENS_CLI (or edit `cli`) to the built dist/cli.js of this repository.
local cli = os.getenv('SHAPE_LENS_CLI') or vim.fn.expand('~/shape-lens/dist/cli.js')

vim.api.nvim_create_autocmd('FileType', {
  pattern = { 'python', 'javascript', 'typescript', 'javascriptreact', 'typescriptreact' },
  callback = function(args)
    local root = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(args.buf), ':p:h')
    local id = vim.lsp.start_client({ name = 'shape-lens', cmd = { 'node', cli, 'lsp', '--stdio' }, root_dir = root })
    if id then
      vim.lsp.buf_attach_client(args.buf, id)
    end
  end,
})
