/// One HTTP exchange: the seam between the code that decides what to send (the Runtime API client,
/// the AWS request sender) and the wire.
///
/// ``HTTPConnection`` is the libcurl implementation; unit tests script responses, AWS errors,
/// delays, resets and lost responses behind the same protocol, with no socket.
public protocol HTTPTransport: AnyObject {
    /// Sends a request and waits for the complete response.
    /// - Returns: The response, whatever its status.
    /// - Throws: ``HTTPError`` when the request could not be made, timed out or broke mid-way.
    func perform(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse
}

extension HTTPConnection: HTTPTransport {}
