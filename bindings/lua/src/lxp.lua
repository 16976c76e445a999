-- lxp.lua: the Lua half of the `lxp` module (compiled into lxp.so; see lib.rs).
-- The module table and parser objects with lua-expat's API; the Rust core parses and
-- hands over callback records, one string per batch of complete parser events, which
-- are dispatched to the callbacks from here.
local new_core, VERSION, default_limits = ...

local type, error, tostring, pairs, setmetatable, getmetatable =
	type, error, tostring, pairs, setmetatable, getmetatable
local unpack, byte = string.unpack, string.byte

-- The callback names lua-expat accepts (lxplib.c, checkcallbacks).
local VALID = {}
for _, k in pairs {
	"StartCdataSection", "EndCdataSection", "CharacterData", "Comment",
	"Default", "DefaultExpand", "StartElement", "EndElement",
	"ExternalEntityRef", "StartNamespaceDecl", "EndNamespaceDecl",
	"NotationDecl", "NotStandalone", "ProcessingInstruction",
	"UnparsedEntityDecl", "EntityDecl", "StartDoctypeDecl", "EndDoctypeDecl",
	"XmlDecl", "AttlistDecl", "SkippedEntity", "ElementDecl",
} do VALID[k] = true end

-- Parser states.
local PRE, PARSING, FINISHED, STOPPED, CLOSED = 1, 2, 3, 4, 5

local Parser = {}
Parser.__index = Parser
Parser.__name = "lxp parser"

local function check(self, fname)
	if getmetatable(self) ~= Parser then
		error(("bad argument #1 to '%s' (expat parser expected)"):format(fname), 3)
	end
	if self._state == CLOSED then
		error(("bad argument #1 to '%s' (parser is closed)"):format(fname), 3)
	end
end

local function position(self)
	return self._core:pos()
end

-- The callback `key` of `cbs`, nil when unset or false; lua-expat's error when it is
-- not a function.
local function handler(cbs, key)
	local f = cbs[key]
	if f and type(f) ~= "function" then
		error(("lxp '%s' callback is not a function"):format(key))
	end
	return f
end

-- Dispatches records (a string, records.rs has the layout, or nil) and the batches
-- that follow while the status is 1 (more). Returns true when all were dispatched, false
-- on a parse error, "stop" when a callback stopped the parser. A callback that raises an
-- error leaves `_busy` set: as lua-expat skips every handler for the rest of the chunk,
-- the next parse drops what is left of that chunk first.
local function dispatch(self, r, status)
	local core, cbs = self._core, self._cb
	while true do
		if r then
			-- The handlers, looked up once per batch (lua-expat looks them up per
			-- callback; a callback table changed by a callback is the only case that
			-- differs).
			local fStart, fEnd, fChars = cbs.StartElement, cbs.EndElement, cbs.CharacterData
			if fStart and type(fStart) ~= "function" then handler(cbs, "StartElement") end
			if fEnd and type(fEnd) ~= "function" then handler(cbs, "EndElement") end
			if fChars and type(fChars) ~= "function" then handler(cbs, "CharacterData") end
			local pos, len = 1, #r
			while pos <= len do
				local code = byte(r, pos)
				local count, s
				if code == 2 then -- StartElement, 1 attribute (the commonest first)
					local k1, v1
					count, s, k1, v1, pos = unpack("<I4s4s4s4", r, pos + 1)
					if fStart then
						self._count = count
						fStart(self, s, { k1, [k1] = v1 })
					end
				elseif code == 7 then -- CharacterData
					count, s, pos = unpack("<I4s4", r, pos + 1)
					if fChars then
						self._count = count
						fChars(self, s)
					end
				elseif code == 6 then -- EndElement
					count, s, pos = unpack("<I4s4", r, pos + 1)
					if fEnd then
						self._count = count
						fEnd(self, s)
					end
				elseif code <= 5 then -- StartElement
					local attrs
					if code == 1 then
						count, s, pos = unpack("<I4s4", r, pos + 1)
						attrs = {}
					elseif code == 3 then
						local k1, v1, k2, v2
						count, s, k1, v1, k2, v2, pos = unpack("<I4s4s4s4s4s4", r, pos + 1)
						attrs = { k1, k2, [k1] = v1, [k2] = v2 }
					elseif code == 4 then
						local k1, v1, k2, v2, k3, v3
						count, s, k1, v1, k2, v2, k3, v3, pos = unpack("<I4s4s4s4s4s4s4s4", r, pos + 1)
						attrs = { k1, k2, k3, [k1] = v1, [k2] = v2, [k3] = v3 }
					else
						local n
						count, s, n, pos = unpack("<I4s4I4", r, pos + 1)
						attrs = {}
						for i = 1, n do
							local k, v
							k, v, pos = unpack("<s4s4", r, pos)
							attrs[i] = k
							attrs[k] = v
						end
					end
					if fStart then
						self._count = count
						fStart(self, s, attrs)
					end
				else -- 8 to 10: namespace declarations, XML declaration
					local flags
					count, flags, s, pos = unpack("<I4I4s4", r, pos + 1)
					if code == 8 then
						local uri
						if flags & 2 ~= 0 then uri, pos = unpack("<s4", r, pos) end
						local f = handler(cbs, "StartNamespaceDecl")
						if f then
							self._count = count
							f(self, flags & 1 ~= 0 and s or nil, uri)
						end
					elseif code == 9 then
						local f = handler(cbs, "EndNamespaceDecl")
						if f then
							self._count = count
							f(self, flags & 1 ~= 0 and s or nil)
						end
					else
						local encoding
						if flags & 1 ~= 0 then encoding, pos = unpack("<s4", r, pos) end
						local f = handler(cbs, "XmlDecl")
						if f then
							self._count = count
							if flags & 2 ~= 0 then
								f(self, s, encoding, flags & 4 ~= 0)
							else
								f(self, s, encoding)
							end
						end
					end
				end
				if self._state == STOPPED then
					self._count = 0
					return "stop"
				end
			end
		end
		if status ~= 1 then
			self._count = 0 -- outside callbacks
			return status == 0
		end
		r, status = core:next()
	end
end

-- Drops the records still pending from a chunk during which a callback raised an
-- error (lua-expat skips every handler for the rest of that chunk).
local function drain(self)
	local core = self._core
	local _, status = core:next()
	while status == 1 do
		_, status = core:next()
	end
end

local function report(self)
	return nil, self._core:error()
end

function Parser:parse(s)
	check(self, "parse")
	if s ~= nil and type(s) ~= "string" then
		if type(s) == "number" then
			s = tostring(s)
		else
			error(("bad argument #1 to 'parse' (string expected, got %s)"):format(type(s)), 2)
		end
	end
	local state = self._state
	if state == FINISHED then
		if s ~= nil then return nil, "cannot parse - document is finished" end
		return self
	end
	if state == STOPPED then
		return nil, "parsing finished", position(self)
	end
	if self._busy then
		-- A callback raised an error during the previous call: drop the rest of it.
		self._busy = false
		drain(self)
	end
	self._state = PARSING
	local core = self._core
	local ok
	if s == nil then
		ok = core:finish()
		self._state = FINISHED
	else
		local r, status = core:parse(s)
		self._busy = true
		ok = dispatch(self, r, status)
		self._busy = false
	end
	if ok == "stop" then
		return nil, "parsing aborted", position(self)
	end
	if not ok then return report(self) end
	return self
end

function Parser:close()
	if getmetatable(self) ~= Parser then
		error("bad argument #1 to 'close' (expat parser expected)", 2)
	end
	local state = self._state
	if state ~= CLOSED and state ~= FINISHED and state ~= STOPPED then
		local ok, err = self:parse()
		if not ok then
			self._state = CLOSED
			error("error closing parser: " .. tostring(err), 2)
		end
	end
	self._state = CLOSED
	return self
end

function Parser:stop()
	check(self, "stop")
	if self._state ~= PARSING then return false end
	self._state = STOPPED
	return true
end

function Parser:getcurrentbytecount()
	check(self, "getcurrentbytecount")
	return self._count
end

function Parser:pos()
	check(self, "pos")
	return position(self)
end

function Parser:getcallbacks()
	check(self, "getcallbacks")
	return self._cb
end

function Parser:getbase()
	check(self, "getbase")
	return self._base
end

function Parser:setbase(base)
	check(self, "setbase")
	if type(base) ~= "string" and type(base) ~= "number" then
		error(("bad argument #1 to 'setbase' (string expected, got %s)"):format(type(base)), 2)
	end
	self._base = tostring(base)
	return self
end

function Parser:setencoding(encoding)
	check(self, "setencoding")
	if type(encoding) ~= "string" then
		error(("bad argument #1 to 'setencoding' (string expected, got %s)"):format(type(encoding)), 2)
	end
	if self._state ~= PRE then
		error("bad argument #1 to 'setencoding' (invalid parser state)", 2)
	end
	local e = encoding:upper()
	if e ~= "UTF-8" and e ~= "US-ASCII" then
		error("bad argument #2 to 'setencoding' (only UTF-8 is supported)", 2)
	end
	return self
end

function Parser:returnnstriplet(on)
	check(self, "returnnstriplet")
	if self._state ~= PRE then
		error("bad argument #1 to 'returnnstriplet' (invalid parser state)", 2)
	end
	self._core:set_triplet(not not on)
	return self
end

-- There are no DTDs, hence no entity expansion to bound.
function Parser:setblamaxamplification()
	check(self, "setblamaxamplification")
	return self
end

function Parser:setblathreshold()
	check(self, "setblathreshold")
	return self
end

local lxp = {
	_VERSION = VERSION,
	_DESCRIPTION = "lua-expat compatible XML parser for XMPP streams, backed by xmpp-stream (restricted XML, bounded)",
	_COPYRIGHT = "xmpp-stream authors; MIT OR Apache-2.0",
	_EXPAT_VERSION = VERSION,
	_EXPAT_FEATURES = {},
	-- Limits for parsers made from now on (the fields of xmpp_stream::Limits).
	limits = default_limits,
}

--- lxp.new(callbacks [, separator [, merge_character_data [, max_elements]]])
-- `max_elements` (Prosody 0.12.6+ passes it) is accepted; Prosody's own callbacks enforce
-- it, and the parser's limits (lxp.limits) bound each stanza in any case.
function lxp.new(callbacks, separator, merge)
	if type(callbacks) ~= "table" then
		error(("bad argument #1 to 'new' (table expected, got %s)"):format(
			callbacks == nil and "no value" or type(callbacks)), 2)
	end
	if separator ~= nil and type(separator) ~= "string" then
		if type(separator) == "number" then
			separator = tostring(separator)
		else
			error(("bad argument #2 to 'new' (string expected, got %s)"):format(type(separator)), 2)
		end
	end
	if callbacks._nonstrict == nil then
		for k in pairs(callbacks) do
			if type(k) ~= "string" or not VALID[k] then
				error(("bad argument #-1 to 'new' (invalid option '%s')"):format(tostring(k)), 2)
			end
		end
	end
	local sep = separator
	if sep == "" then sep = nil end
	local wants = 0
	if callbacks.StartElement ~= nil or callbacks.EndElement ~= nil then wants = wants | 1 end
	if callbacks.CharacterData ~= nil then wants = wants | 2 end
	if callbacks.StartNamespaceDecl ~= nil or callbacks.EndNamespaceDecl ~= nil then
		wants = wants | 4
	end
	if callbacks.XmlDecl ~= nil then wants = wants | 8 end
	local _ = merge -- character data always comes as one string per run (see README)
	return setmetatable({
		_core = new_core(sep, wants, lxp.limits),
		_cb = callbacks,
		_count = 0,
		_state = PRE,
		_busy = false,
	}, Parser)
end

return lxp
