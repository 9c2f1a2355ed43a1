// The parts of the `radius` npm package (1.1.4, untyped) that NetFlow uses: dictionary loading
// and attribute TLV encoding. Framing and all cryptography are NetFlow's own (crypto.ts).
declare module 'radius' {
  type AttributeValue = string | number | Buffer | Date;
  type AttributeList = Array<[string | number, AttributeValue] | [string, string | number, AttributeList]>;
  interface RadiusCodec {
    add_dictionary(file: string): void;
    load_dictionaries(): void;
    attr_name_to_id(name: string, vendorId?: number): number | undefined;
    vendor_name_to_id(name: string): number | undefined;
    encode_attributes(target: Buffer, attributes: AttributeList, vendor: number): number;
    decode_without_secret(args: { packet: Buffer }): { attributes: Record<string, unknown>; raw_attributes: Array<[number, Buffer]> };
  }
  const radius: RadiusCodec;
  export default radius;
}
