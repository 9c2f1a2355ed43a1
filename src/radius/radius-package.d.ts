// The parts of the `radius` npm package (1.1.4, untyped) that NetFlow uses: dictionary loading
// (names, numbers, types, value names). Values, framing and all cryptography are NetFlow's own
// (encode.ts, crypto.ts); the codec's encode_attributes is the reference encoding in tests.
declare module 'radius' {
  type AttributeValue = string | number | Buffer | Date;
  type AttributeList = Array<[string | number, AttributeValue] | [string, string | number, AttributeList]>;
  interface RadiusCodec {
    add_dictionary(file: string): void;
    load_dictionaries(): void;
    attr_name_to_id(name: string, vendorId?: number): number | undefined;
    /** One field of an attribute's dictionary entry: 2 type, 4 value names → numbers, 5 modifiers. */
    _attr_to(name: string, vendorId: number | undefined, field: number): unknown;
    vendor_name_to_id(name: string): number | undefined;
    encode_attributes(target: Buffer, attributes: AttributeList, vendor: number): number;
    decode_without_secret(args: { packet: Buffer }): { attributes: Record<string, unknown>; raw_attributes: Array<[number, Buffer]> };
  }
  const radius: RadiusCodec;
  export default radius;
}
