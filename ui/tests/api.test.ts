import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { clearMocks, mockIPC, mockWindows } from "@tauri-apps/api/mocks";
import { api, errorCode, errorText, pageUrl } from "../src/api";

beforeAll(() => {
  mockWindows("main");
});
afterEach(() => clearMocks());

describe("commands", () => {
  it("sends decisions with the argument names the Rust commands take", async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return { id: 1 };
    });
    await api.setState(1, [4, 5], "rejected");
    await api.decideProposed(1, null, "accepted");
    await api.setProvision(1, [4], "26 kap. 1 § OSL");
    await api.exportDocument(1, null, { searchable: true, provisionLabels: false });
    await api.maskOccurrences(1, 4, null, true);
    const rect = { left: 10, top: 20, right: 90, bottom: 30 };
    await api.maskText(1, 2, rect, "other");
    await api.openDialog();
    expect(calls).toEqual([
      ["set_state", { id: 1, masks: [4, 5], value: "rejected" }],
      ["decide_proposed", { id: 1, category: null, value: "accepted" }],
      ["set_provision", { id: 1, masks: [4], provision: "26 kap. 1 § OSL" }],
      ["export", { id: 1, output: null, options: { searchable: true, provisionLabels: false } }],
      ["mask_occurrences", { id: 1, mask: 4, text: null, all: true }],
      ["mask_text", { id: 1, page: 2, rect, category: "other" }],
      ["open_dialog", {}],
    ]);
  });

  it("passes the Swedish message of a failed command on", async () => {
    mockIPC(() => {
      throw {
        code: "undecided",
        message: "2 förslag är inte avgjorda; godkänn eller avvisa dem innan export",
      };
    });
    const err = await api.exportDocument(1, null).catch((e) => e);
    expect(errorText(err)).toContain("inte avgjorda");
    expect(errorCode(err)).toBe("undecided");
    expect(errorCode("fel")).toBeNull();
    expect(errorText("fel")).toBe("fel");
    expect(errorText(42)).toBe("Ett okänt fel inträffade.");
  });

  it("addresses page images through the app's protocol", () => {
    expect(pageUrl(3, 0)).toBe("tusch://localhost/page/3/0");
  });
});
