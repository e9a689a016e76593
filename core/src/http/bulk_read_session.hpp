#pragma once

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPSClientSession.h>

#include <ios>

namespace boxtool::http {

// Poco's response streams read the socket through a 4 KiB stream buffer: one recv() per 4 KiB of a
// blob, about 100,000 system calls for a 400 MB image. Every session the pool makes is a
// BulkReadSession, so a body of known length can be read in large steps through the session
// itself. HTTPSession::read hands over the bytes it buffered after the headers first, then reads
// the socket (through TLS for HTTPS) for up to the length asked. Poco keeps that read protected;
// deriving is the supported way to reach it.
class BulkReader {
  public:
    virtual ~BulkReader() = default;
    // Up to `length` bytes of the body; 0 once the connection is closed. Throws Poco's network
    // exceptions, as the response stream would.
    virtual int read_bulk(char* buffer, std::streamsize length) = 0;
};

template <class Session>
class BulkReadSession : public Session, public BulkReader {
  public:
    using Session::Session;
    int read_bulk(char* buffer, std::streamsize length) override { return this->read(buffer, length); }
};

using PlainSession = BulkReadSession<Poco::Net::HTTPClientSession>;
using SecureSession = BulkReadSession<Poco::Net::HTTPSClientSession>;

}  // namespace boxtool::http
