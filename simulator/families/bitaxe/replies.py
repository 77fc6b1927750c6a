"""The JSON bodies: AxeOS ``/api/system/info`` and ``/asic``, and the NerdQAxe firmware's
own info layout.
"""

from __future__ import annotations

import time
from typing import Any

from ... import thermal
from .base import NERD_VERSION, BitaxeBase, _split_pool


class BitaxeReplies(BitaxeBase):
    def _pool(self, index: int) -> tuple[str, int, str]:
        pools = self.state.pools
        if index >= len(pools):
            return "", 3333, ""
        host, port = _split_pool(pools[index].url)
        return host, port, pools[index].user

    def _axeos_info(self) -> dict[str, Any]:
        s = self.state
        rel = self.release
        temps = self.chip_temps()
        accepted, rejected = self.shares()
        url, port, user = self._pool(0)
        fb_url, fb_port, fb_user = self._pool(1)
        faults = self.faults()
        info: dict[str, Any] = {
            "power": self.power_w(),
            "voltage": 5112.5,
            "current": round(self.power_w() / 5.1125 * 1000, 1),
            "temp": round(sum(temps) / len(temps), 1) if self.chips == 1 else temps[0],
            "vrTemp": self.vr_temp(),
            "maxPower": s.spec.max_power,
            "nominalVoltage": 5,
            "hashRate": self.hashrate_ghs(),
            "bestDiff": "4.29M" if not rel.device_in_asic else 4290512,
            "bestSessionDiff": "1.02M" if not rel.device_in_asic else 1020334,
            "stratumDiff": 1000,
            "isUsingFallbackStratum": int(s.current_pool() == 1),
            "isPSRAMAvailable": 1,
            "freeHeap": 8123456,
            "coreVoltage": self.core_voltage,
            "coreVoltageActual": self.core_voltage_actual(),
            "frequency": self.frequency if rel.pause else int(self.frequency),
            "ssid": "SimNet",
            "hostname": s.hostname,
            "wifiStatus": "Connected!",
            "sharesAccepted": accepted,
            "sharesRejected": rejected,
            "uptimeSeconds": s.uptime,
            "smallCoreCount": self.device.small_cores,
            "ASICModel": self.device.asic,
            "stratumURL": url,
            "fallbackStratumURL": fb_url,
            "stratumPort": port,
            "fallbackStratumPort": fb_port,
            "stratumUser": user,
            "fallbackStratumUser": fb_user,
            "version": rel.version,
            "idfVersion": "v5.4.1",
            "boardVersion": self.device.board_version or "Unknown",
            "runningPartition": "ota_0",
            "flipscreen": 1,
            "overheat_mode": 1 if "overheat" in faults else 0,
            "invertscreen": 0,
            "invertfanpolarity": 1,
            "autofanspeed": 1 if s.fan_mode == thermal.AUTO else 0,
            "fanspeed": self.fan_percent(),
            "fanrpm": self.fan_rpms()[0],
        }
        if self.state.mac:
            info["macAddr"] = self.state.mac
        if not rel.asic_api:
            # 2.4.5 (asic-rs capture) has no power budget and no PSRAM flag yet.
            for key in ("maxPower", "nominalVoltage", "isPSRAMAvailable"):
                del info[key]
        if not rel.device_in_asic:
            info["asicCount"] = self.chips
        else:
            info["expectedHashrate"] = self.expected_ghs()
            info["axeOSVersion"] = rel.version
        if rel.newer_info:
            info["temp2"] = temps[1] if self.chips > 1 else -1
            info["fan2rpm"] = self.fan_rpms()[1] if len(self.fan_rpms()) > 1 else 0
            info["hashRate_1m"] = self.hashrate_ghs()
            info["temptarget"] = round(s.temperature_target)
        if rel.pause:
            info["miningPaused"] = not s.mining
            info["actualFrequency"] = self.frequency if s.hashing else 0
        if "power_fault" in faults:
            info["power_fault"] = faults["power_fault"]
        if "hardware_fault" in faults and rel.pause:
            info["hardware_fault"] = faults["hardware_fault"]
        return info

    def _nerd_info(self) -> dict[str, Any]:
        s = self.state
        temps = self.chip_temps()
        rpms = self.fan_rpms()
        accepted, rejected = self.shares()
        url, port, user = self._pool(0)
        fb_url, fb_port, fb_user = self._pool(1)
        shutdown = not s.mining
        info: dict[str, Any] = {
            "asicCount": self.chips,
            "smallCoreCount": self.device.small_cores,
            "deviceModel": self.device.device_model,
            "hostip": self.host,
            "wifiRSSI": -52,
            "power": self.power_w(),
            "maxPower": s.spec.max_power,
            "minPower": s.spec.min_power,
            "current": round(self.power_w() / 12.0 * 1000, 1),
            "currentA": round(self.power_w() / 12.0, 3),
            "temp": max(temps),
            "vrTemp": self.vr_temp(),
            "vrTempInt": self.vr_temp() + 4,
            "hashRateTimestamp": int(time.time() * 1000),
            "hashRate": 0.0 if shutdown else self.hashrate_ghs(),
            "hashRate_1m": 0.0 if shutdown else self.hashrate_ghs(),
            "coreVoltage": self.core_voltage,
            "defaultCoreVoltage": self.device.default_voltage,
            "coreVoltageActual": self.core_voltage_actual(),
            "fanspeed": self.fan_percent(),
            "manualFanSpeed": 100,
            "fanrpm": rpms[0],
            "fanrpm2": rpms[1] if len(rpms) > 1 else 0,
            "fanspeed2": self.fan_percent() if len(rpms) > 1 else 0,
            "fanCount": len(rpms),
            "shutdown": shutdown,
            "can": {"hasExtension": False, "enabled": False},
            "stratum": {
                "poolMode": 0,
                "activePoolMode": 0,
                "usingFallback": s.current_pool() == 1,
                "pools": [{"connected": s.hashing, "accepted": accepted, "rejected": rejected}],
            },
            "sharesAccepted": accepted,
            "sharesRejected": rejected,
            "bestDiff": 123456789.0,
            "asicTemps": temps,
            "hostname": s.hostname,
            "ssid": "SimNet",
            "stratumURL": url,
            "stratumPort": port,
            "stratumUser": user,
            "stratumTLS": False,
            "fallbackStratumURL": fb_url,
            "fallbackStratumPort": fb_port,
            "fallbackStratumUser": fb_user,
            "voltage": 12010.0,
            "frequency": int(self.frequency),
            "defaultFrequency": self.device.default_frequency,
            "otp": self.otp,
            "ASICModel": self.device.asic,
            "uptimeSeconds": s.uptime,
            "version": NERD_VERSION,
            "runningPartition": "ota_1",
        }
        if self.state.mac:
            info["macAddr"] = self.state.mac
        return info

    def _asic(self) -> dict[str, Any]:
        d = self.device
        body: dict[str, Any] = {"ASICModel": d.asic}
        if d.nerd or self.release.device_in_asic:
            body["deviceModel"] = d.device_model
            body["swarmColor"] = "green"
            body["asicCount"] = self.chips
        if d.nerd:
            body["absMaxFrequency"] = 800
            body["absMaxVoltage"] = 1400
        body["defaultFrequency"] = d.default_frequency
        body["frequencyOptions"] = list(d.frequency_options)
        body["defaultVoltage"] = d.default_voltage
        body["voltageOptions"] = list(d.voltage_options)
        return body
