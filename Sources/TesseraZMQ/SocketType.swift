import CZeroMQ

/// The ZeroMQ socket patterns this wrapper supports.
public enum SocketType: Sendable, CaseIterable {
    case pair, publisher, subscriber, request, reply, dealer, router, pull, push

    var rawValue: Int32 {
        switch self {
        case .pair: return ZMQ_PAIR
        case .publisher: return ZMQ_PUB
        case .subscriber: return ZMQ_SUB
        case .request: return ZMQ_REQ
        case .reply: return ZMQ_REP
        case .dealer: return ZMQ_DEALER
        case .router: return ZMQ_ROUTER
        case .pull: return ZMQ_PULL
        case .push: return ZMQ_PUSH
        }
    }
}
