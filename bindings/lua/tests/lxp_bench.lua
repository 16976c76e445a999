-- Prosody's parsing path with each module, in-process, on the same bytes, interleaved:
--
--   lua5.4 bindings/lua/tests/lxp_bench.lua OURS_LXP_SO EXPAT_LXP_SO PROSODY_DIR [N] [ROUNDS]
--
-- A c2s stream of N (default 20000) chat messages (~300 bytes each: non-ASCII text,
-- entities, an extension element; the shape tests/interop/blast.py sends) is fed in
-- 8 KiB chunks (net.server_epoll's read size) to util/xmppstream.lua, which builds every
-- stanza as Prosody does (util.stanza objects), on a fresh stream per round, alternating
-- the modules; then the same bytes straight to each module's parser with callbacks that
-- do nothing (the cost of the module and its callbacks), and with no callbacks (the
-- parser alone). Prints the median seconds per module and the ratios. Not a test: it
-- asserts only that both saw every stanza.

local OURS, EXPAT, PROSODY, N, ROUNDS = ...
N, ROUNDS = tonumber(N) or 20000, tonumber(ROUNDS) or 7
package.path = PROSODY .. "/?.lua;" .. package.path
package.cpath = PROSODY .. "/?.so;" .. package.cpath

local function load_lxp(path)
	return assert(package.loadlib(path, "luaopen_lxp"))()
end
local modules = { ours = load_lxp(OURS), expat = load_lxp(EXPAT) }

local function xmppstream_with(lxp)
	package.loaded.lxp = lxp
	package.loaded["util.xmppstream"] = nil
	return require "util.xmppstream"
end
local streams = { ours = xmppstream_with(modules.ours), expat = xmppstream_with(modules.expat) }

local parts = { "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
	.. "xmlns:stream='http://etherx.jabber.org/streams' to='localhost' version='1.0'>" }
for i = 0, N - 1 do
	parts[#parts + 1] = ("<message to='juliet@localhost/blast' type='chat' id='b%d'><body>#%d caf\195\169 "
		.. "\230\151\165\230\156\172\232\170\158 \240\159\142\137 a &lt; b &amp;&amp; c &gt; d \"quoted\" 'single' "
		.. "and some plain text to make it a realistic size %d</body><probe xmlns='urn:xmpp-stream:blast' "
		.. "n='%d' a='&lt;&amp;&gt;'/></message>"):format(i, i, i * 7919, i)
end
local input = table.concat(parts)
local CHUNK = 8192
local chunks = {}
for i = 1, #input, CHUNK do chunks[#chunks + 1] = input:sub(i, i + CHUNK - 1) end

local function run(name)
	local xs = streams[name]
	local session = { notopen = true }
	local count = 0
	local stream = xs.new(session, {
		default_ns = "jabber:client",
		streamopened = function(s) s.notopen = nil end,
		handlestanza = function(_, stanza) if stanza.name == "message" then count = count + 1 end end,
		error = function(_, e) error("stream error " .. tostring(e)) end,
	}, 1024 * 1024)
	collectgarbage("collect")
	local t0 = os.clock()
	for i = 1, #chunks do assert(stream:feed(chunks[i])) end
	local t = os.clock() - t0
	assert(count == N, name .. " saw " .. count .. " of " .. N .. " stanzas")
	return t
end

local function noop() end
local function run_bare(name, cbs)
	local p = modules[name].new(cbs, "\1", false)
	collectgarbage("collect")
	local t0 = os.clock()
	for i = 1, #chunks do assert(p:parse(chunks[i])) end
	return os.clock() - t0
end

local function median(t)
	table.sort(t)
	return t[(#t + 1) // 2]
end

local function compare(what, f)
	local times = { ours = {}, expat = {} }
	f("ours"); f("expat") -- warm up
	for _ = 1, ROUNDS do
		for _, name in ipairs { "ours", "expat" } do
			local t = times[name]
			t[#t + 1] = f(name)
		end
	end
	local mo, me = median(times.ours), median(times.expat)
	print(("lxp_bench %s: %d messages, %d bytes, %d rounds; median CPU s: ours %.4f (%.0f msg/s), "
		.. "lua-expat %.4f (%.0f msg/s); ours/expat time ratio %.3f"):format(
		what, N, #input, ROUNDS, mo, N / mo, me, N / me, mo / me))
end

compare("util/xmppstream.lua", run)
compare("callbacks doing nothing", function(name)
	return run_bare(name, { StartElement = noop, EndElement = noop, CharacterData = noop })
end)
compare("no callbacks", function(name) return run_bare(name, {}) end)
