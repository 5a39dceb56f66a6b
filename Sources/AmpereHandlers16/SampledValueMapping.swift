import AmpereDomain
import Foundation
import OCPP16

/// The shape MeterValues and StopTransaction's transactionData share.
protocol MeterValue16 {
    associatedtype Sampled: SampledValue16
    var timestamp: Date { get }
    var sampledValue: [Sampled] { get }
}

protocol SampledValue16 {
    associatedtype Context: RawRepresentable<String>
    associatedtype Format: RawRepresentable<String>
    associatedtype Measurand: RawRepresentable<String>
    associatedtype Phase: RawRepresentable<String>
    associatedtype Location: RawRepresentable<String>
    associatedtype Unit: RawRepresentable<String>
    var value: String { get }
    var context: Context? { get }
    var format: Format? { get }
    var measurand: Measurand? { get }
    var phase: Phase? { get }
    var location: Location? { get }
    var unit: Unit? { get }
}

extension MeterValuesRequest.MeterValue: MeterValue16 {}
extension MeterValuesRequest.MeterValue.SampledValue: SampledValue16 {}
extension StopTransactionRequest.TransactionData: MeterValue16 {}
extension StopTransactionRequest.TransactionData.SampledValue: SampledValue16 {}

/// OCPP 1.6 sampled values as the version-neutral `MeterSample`, defaults filled in.
enum SampledValueMapping {
    static func samples<M: MeterValue16>(
        of meterValues: [M], stationId: String, connectorId: Int, transactionId: Int?
    ) -> [MeterSample] {
        var samples: [MeterSample] = []
        samples.reserveCapacity(meterValues.reduce(0) { $0 + $1.sampledValue.count })
        for meterValue in meterValues {
            for sampled in meterValue.sampledValue {
                samples.append(
                    MeterSample(
                        stationId: stationId, connectorId: connectorId, transactionId: transactionId,
                        timestamp: meterValue.timestamp, value: sampled.value,
                        measurand: sampled.measurand?.rawValue, unit: sampled.unit?.rawValue,
                        context: sampled.context?.rawValue, phase: sampled.phase?.rawValue,
                        location: sampled.location?.rawValue, format: sampled.format?.rawValue))
            }
        }
        return samples
    }
}
