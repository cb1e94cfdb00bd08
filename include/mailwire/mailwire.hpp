#pragma once
// Umbrella header: the whole public API.

#include "mailwire/version.hpp"

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/base64.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/line_reader.hpp"
#include "mailwire/core/line_writer.hpp"
#include "mailwire/core/md5.hpp"
#include "mailwire/core/output.hpp"
#include "mailwire/core/sasl_line.hpp"
#include "mailwire/core/sasl_mechanism.hpp"
#include "mailwire/core/scan.hpp"
#include "mailwire/core/text_arena.hpp"
#include "mailwire/core/utf8.hpp"

#include "mailwire/dot/decoder.hpp"
#include "mailwire/dot/encoder.hpp"

#include "mailwire/smtp/capabilities.hpp"
#include "mailwire/smtp/client_parser.hpp"
#include "mailwire/smtp/command.hpp"
#include "mailwire/smtp/command_writer.hpp"
#include "mailwire/smtp/parameters.hpp"
#include "mailwire/smtp/path.hpp"
#include "mailwire/smtp/reply_writer.hpp"
#include "mailwire/smtp/sasl.hpp"
#include "mailwire/smtp/server_parser.hpp"
#include "mailwire/smtp/xtext.hpp"

#include "mailwire/pop3/apop.hpp"
#include "mailwire/pop3/client_parser.hpp"
#include "mailwire/pop3/command.hpp"
#include "mailwire/pop3/command_writer.hpp"
#include "mailwire/pop3/response.hpp"
#include "mailwire/pop3/response_writer.hpp"
#include "mailwire/pop3/server_parser.hpp"
