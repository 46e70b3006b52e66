// Typed views of a module's memory that survive growth: memory.grow detaches the old buffer,
// so views are re-made when the buffer changed (checked by identity, which costs nothing).

export class MemoryView {
  private buffer: ArrayBuffer;
  private _f32: Float32Array;
  private _i32: Int32Array;
  private _u8: Uint8Array;

  constructor(private readonly memory: WebAssembly.Memory) {
    this.buffer = memory.buffer;
    this._f32 = new Float32Array(this.buffer);
    this._i32 = new Int32Array(this.buffer);
    this._u8 = new Uint8Array(this.buffer);
  }

  private refresh(): void {
    if (this.memory.buffer !== this.buffer) {
      this.buffer = this.memory.buffer;
      this._f32 = new Float32Array(this.buffer);
      this._i32 = new Int32Array(this.buffer);
      this._u8 = new Uint8Array(this.buffer);
    }
  }

  get f32(): Float32Array { this.refresh(); return this._f32; }
  get i32(): Int32Array { this.refresh(); return this._i32; }
  get u8(): Uint8Array { this.refresh(); return this._u8; }
  get bytes(): number { return this.memory.buffer.byteLength; }
}
